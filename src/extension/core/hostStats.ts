/**
 * @file Opt-in measurements of the extension host, for `npm run bench`: activation timings, the event-loop
 * delay (how long the host could not answer anything), its CPU time, how often status updates arrive, and
 * the round trip of small probe requests to the engine. Enabled only when the environment variable
 * T5_SEMANTIC_HOST_STATS names a file (code-server's extension host inherits code-server's environment);
 * then a JSON snapshot replaces that file every second and on deactivate. Without the variable nothing is
 * created, timed or written. No `vscode` import, so the pure parts are unit-tested in plain node.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import type { EngineStatus, IndexStatus, SearchParams } from '../../shared/protocol';

export const HOST_STATS_ENV = 'T5_SEMANTIC_HOST_STATS';

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/** When this module was evaluated: main.ts imports it first, so this is when the bundle started running. */
const moduleLoadedAt = epochNow();

export interface DelaySummary {
  /** Timer samples taken (one per resolution interval when the loop is free). */
  count: number;
  maxMs: number;
  p99Ms: number;
  p50Ms: number;
  meanMs: number;
}

/** Milliseconds from a perf_hooks histogram (which counts nanoseconds); an empty one is all zeros. */
export function summarizeDelay(h: Pick<IntervalHistogram, 'count' | 'max' | 'mean' | 'percentile'>): DelaySummary {
  if (h.count === 0) return { count: 0, maxMs: 0, p99Ms: 0, p50Ms: 0, meanMs: 0 };
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  return { count: h.count, maxMs: ms(h.max), p99Ms: ms(h.percentile(99)), p50Ms: ms(h.percentile(50)), meanMs: ms(h.mean) };
}

/** One second of the host's life. */
export interface Sample {
  /** Epoch ms at the end of the interval. */
  t: number;
  delay: DelaySummary;
  /** Extension-host CPU (user + system) spent in the interval, ms. */
  cpuMs: number;
  /** Engine or index status updates the extension handled in the interval. */
  statusUpdates: number;
  /**
   * Ms the host's main thread waited for a CPU while runnable (Linux schedstat; absent elsewhere): a stall
   * with as much waiting is other processes' CPU use, not work in the host.
   */
  runQueueMs?: number;
  /** The longest garbage collection in the interval, ms (the whole host's heap, every extension's garbage). */
  gcMaxMs: number;
}

/** A request to the engine timed from the extension host: `ping` is trivial, `search` embeds a query. */
export interface Probe {
  t: number;
  kind: 'ping' | 'search';
  ms: number;
  ok: boolean;
}

export interface Snapshot {
  pid: number;
  moduleLoadedAt: number;
  /** First time each named moment happened (epoch ms): activateCalled, activateYielded, activateReturned, engineReady, … */
  marks: Record<string, number>;
  /** State changes in order, e.g. `engine:ready`, `index:indexing`, `index:paused`, `index:idle`. */
  events: { t: number; name: string }[];
  total: DelaySummary;
  samples: Sample[];
  probes: Probe[];
  /** activate()'s synchronous part (activateCalled → activateYielded) split by what the main thread did. */
  activation?: ActivationWindow;
}

/**
 * Where activate()'s synchronous part went: the host process on a CPU (all its threads; any extension's
 * code that ran in the same task counts), its main thread waiting for one (a busy machine; Linux only),
 * garbage collection.
 */
export interface ActivationWindow {
  cpuMs: number;
  runQueueMs?: number;
  gcMs: number;
}

/** What the stats watch: the extension's context (structurally, so this module needs no `vscode`). */
export interface StatusSource {
  readonly status: EngineStatus;
  readonly indexStatus: IndexStatus | undefined;
  onDidChangeStatus(listener: () => void): { dispose(): void };
  readonly runningClient: { sendRequest(type: unknown, ...params: unknown[]): Promise<unknown> } | undefined;
}

/**
 * The probes' methods by name (ModelInfoRequest, SearchRequest), so that loading this module loads nothing
 * else and `moduleLoadedAt` is the bundle's start; a unit test checks they match src/shared/protocol.ts.
 */
export const PING_METHOD = 't5Semantic/modelInfo';
export const SEARCH_METHOD = 't5Semantic/search';
const SEARCH_PROBE: SearchParams = { query: 'retry the request after a timeout', mode: 'semantic', topK: 5 };

const SAMPLE_MS = 1000;
/** Samples and probes kept (the oldest go first), so a long session's file and its rewrite stay small. */
const KEEP = 3600;
const PING_MS = 500;
const SEARCH_MS = 2000;

/** Keeps every state change once: a flood of same-state updates is counted, not listed. */
export class StateLog {
  private last = new Map<string, string>();
  readonly events: { t: number; name: string }[] = [];

  /** Records `<what>:<state>` when `what`'s state differs from its last one; returns whether it did. */
  note(what: string, state: string | undefined, t = epochNow()): boolean {
    if (state === undefined || this.last.get(what) === state) return false;
    this.last.set(what, state);
    this.events.push({ t, name: `${what}:${state}` });
    return true;
  }
}

export class HostStats {
  private readonly marks: Record<string, number> = {};
  private readonly states = new StateLog();
  private readonly samples: Sample[] = [];
  private readonly probes: Probe[] = [];
  private readonly total = monitorEventLoopDelay({ resolution: 10 });
  private readonly interval = monitorEventLoopDelay({ resolution: 10 });
  private cpu = process.cpuUsage();
  private runQueueNs = runQueueWaitNs();
  private activation: ActivationWindow | undefined;
  /** GC entries arrive after the fact; those inside activate()'s synchronous part are summed here. */
  private activationGcMs = 0;
  private statusUpdates = 0;
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private watching: { dispose(): void } | undefined;
  private gcMaxMs = 0;
  private readonly gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      this.gcMaxMs = Math.max(this.gcMaxMs, entry.duration);
      this.activationGcMs += overlapMs(performance.timeOrigin + entry.startTime, entry.duration, this.marks.activateCalled, this.marks.activateYielded ?? epochNow());
    }
  });

  /** Stats writing to the file named by T5_SEMANTIC_HOST_STATS, or undefined (and no cost) when it is not set. */
  static fromEnv(env: NodeJS.ProcessEnv): HostStats | undefined {
    const file = env[HOST_STATS_ENV]?.trim();
    return file ? new HostStats(file) : undefined;
  }

  constructor(readonly file: string) {
    this.total.enable();
    this.interval.enable();
    this.gc.observe({ entryTypes: ['gc'] });
    const sampler = setInterval(() => this.sample(), SAMPLE_MS);
    sampler.unref();
    this.timers.push(sampler);
  }

  /** Records the first time `name` happened. */
  mark(name: string, t = epochNow()): void {
    this.marks[name] ??= t;
  }

  /** activate() was called; `activateYielded` follows when the host's event loop next runs (activate's synchronous part is over). */
  activationStarted(): void {
    this.mark('activateCalled');
    // schedstat's run time lags by up to a scheduler tick, too coarse for this window; getrusage does not.
    const cpu = process.cpuUsage();
    const waited = runQueueWaitNs();
    setImmediate(() => {
      this.mark('activateYielded');
      const used = process.cpuUsage(cpu);
      const now = runQueueWaitNs();
      this.activation = {
        cpuMs: Math.round((used.user + used.system) / 10) / 100,
        runQueueMs: waited !== undefined && now !== undefined ? Math.round((now - waited) / 1e4) / 100 : undefined,
        gcMs: 0,
      };
    });
  }

  /** Follows the engine's and the index's state, counts status updates, and probes the engine once it is ready. */
  watch(source: StatusSource): void {
    const onStatus = () => {
      this.statusUpdates++;
      if (this.states.note('engine', source.status.state) && source.status.state === 'ready') this.mark('engineReady');
      if (this.states.note('index', source.indexStatus?.state) && source.indexStatus?.state === 'idle') this.mark('indexIdle');
    };
    this.watching = source.onDidChangeStatus(onStatus);
    onStatus();
    this.timers.push(this.probeEvery(PING_MS, 'ping', source, (c) => c.sendRequest(PING_METHOD)));
    // A semantic query: it waits for the engine between indexing batches, which is what a user feels.
    this.timers.push(this.probeEvery(SEARCH_MS, 'search', source, (c) => c.sendRequest(SEARCH_METHOD, SEARCH_PROBE)));
  }

  snapshot(): Snapshot {
    return {
      pid: process.pid,
      moduleLoadedAt,
      marks: { ...this.marks },
      events: [...this.states.events],
      total: summarizeDelay(this.total),
      samples: [...this.samples],
      probes: [...this.probes],
      activation: this.activation && { ...this.activation, gcMs: Math.round(this.activationGcMs * 100) / 100 },
    };
  }

  /** Replaces the file with the current snapshot in one rename, so a reader never sees half of it. */
  write(): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(this.snapshot()));
      renameSync(tmp, this.file);
    } catch {
      // Measurements must never break the extension.
    }
  }

  dispose(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    this.watching?.dispose();
    this.sample();
    this.total.disable();
    this.interval.disable();
    this.gc.disconnect();
  }

  private sample(): void {
    const cpu = process.cpuUsage();
    const cpuMs = (cpu.user - this.cpu.user + cpu.system - this.cpu.system) / 1000;
    this.cpu = cpu;
    const waited = runQueueWaitNs();
    const runQueueMs = waited !== undefined && this.runQueueNs !== undefined ? Math.round((waited - this.runQueueNs) / 1e6) : undefined;
    this.runQueueNs = waited;
    this.samples.push({ t: epochNow(), delay: summarizeDelay(this.interval), cpuMs: Math.round(cpuMs), statusUpdates: this.statusUpdates, runQueueMs, gcMaxMs: Math.round(this.gcMaxMs * 10) / 10 });
    this.gcMaxMs = 0;
    if (this.samples.length > KEEP) this.samples.shift();
    if (this.probes.length > KEEP) this.probes.splice(0, this.probes.length - KEEP);
    this.interval.reset();
    this.statusUpdates = 0;
    this.write();
  }

  /** Sends one probe at a time, only while the engine is ready, and records its round trip. */
  private probeEvery(ms: number, kind: Probe['kind'], source: StatusSource, send: (c: NonNullable<StatusSource['runningClient']>) => Promise<unknown>) {
    let busy = false;
    const timer = setInterval(() => {
      const client = source.runningClient;
      if (busy || !client || source.status.state !== 'ready') return;
      busy = true;
      const t = epochNow();
      const done = (ok: boolean) => {
        this.probes.push({ t, kind, ms: Math.round((epochNow() - t) * 10) / 10, ok });
        busy = false;
      };
      send(client).then(() => done(true), () => done(false));
    }, ms);
    timer.unref();
    return timer;
  }
}

/** Nanoseconds this process's main thread has spent runnable but waiting for a CPU (Linux), else undefined. */
export function runQueueWaitNs(read = () => readFileSync('/proc/self/schedstat', 'utf8')): number | undefined {
  try {
    const waited = Number(read().split(' ')[1]);
    return Number.isFinite(waited) ? waited : undefined;
  } catch {
    return undefined;
  }
}

/** Milliseconds of [start, start + duration] inside [from, to]; 0 when either end of the window is unknown. */
export function overlapMs(start: number, duration: number, from: number | undefined, to: number | undefined): number {
  if (from === undefined || to === undefined) return 0;
  return Math.max(0, Math.min(start + duration, to) - Math.max(start, from));
}

/** The extension's stats: undefined unless T5_SEMANTIC_HOST_STATS is set. */
export const hostStats = HostStats.fromEnv(process.env);
