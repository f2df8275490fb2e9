import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHistogram, performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import {
  HOST_STATS_ENV,
  HostStats,
  PING_METHOD,
  SEARCH_METHOD,
  StateLog,
  hostStats,
  overlapMs,
  runQueueWaitNs,
  summarizeDelay,
  type Snapshot,
  type StatusSource,
} from '../../src/extension/core/hostStats';
import { ModelInfoRequest, SearchRequest, type EngineStatus, type IndexStatus } from '../../src/shared/protocol';
import { tempDir } from '../support/tempDir';

describe('summarizeDelay', () => {
  it('turns a nanosecond histogram into milliseconds', () => {
    const h = createHistogram();
    for (const ms of [10, 10, 20, 20, 20, 250]) h.record(ms * 1e6);
    const s = summarizeDelay(h);
    assert.equal(s.count, 6);
    assert.ok(Math.abs(s.maxMs - 250) < 1, `max ${s.maxMs}`);
    assert.ok(Math.abs(s.p50Ms - 20) < 0.5, `p50 ${s.p50Ms}`);
    assert.ok(Math.abs(s.p99Ms - 250) < 1, `p99 ${s.p99Ms}`);
    assert.ok(Math.abs(s.meanMs - 55) < 0.5, `mean ${s.meanMs}`);
  });

  it('reports an empty histogram as zeros, not NaN or its sentinel extremes', () => {
    assert.deepEqual(summarizeDelay(createHistogram()), { count: 0, maxMs: 0, p99Ms: 0, p50Ms: 0, meanMs: 0 });
  });
});

describe('HostStats.fromEnv', () => {
  it('records nothing unless T5_SEMANTIC_HOST_STATS names a file', () => {
    assert.equal(HostStats.fromEnv({}), undefined);
    assert.equal(HostStats.fromEnv({ [HOST_STATS_ENV]: '  ' }), undefined);
    if (!process.env[HOST_STATS_ENV]) assert.equal(hostStats, undefined, 'the module-level stats are off without the variable');
    const file = join(tmpdir(), `t5-host-stats-${process.pid}-env.json`);
    const stats = HostStats.fromEnv({ [HOST_STATS_ENV]: ` ${file} ` });
    assert.equal(stats?.file, file);
    stats?.dispose();
    rmSync(file, { force: true });
  });
});

describe('StateLog', () => {
  it('lists each state change once and ignores repeats and unknown states', () => {
    const log = new StateLog();
    assert.equal(log.note('index', 'indexing', 1), true);
    assert.equal(log.note('index', 'indexing', 2), false);
    assert.equal(log.note('engine', 'ready', 3), true);
    assert.equal(log.note('index', undefined, 4), false);
    assert.equal(log.note('index', 'idle', 5), true);
    assert.deepEqual(log.events, [
      { t: 1, name: 'index:indexing' },
      { t: 3, name: 'engine:ready' },
      { t: 5, name: 'index:idle' },
    ]);
  });
});

describe('runQueueWaitNs', () => {
  it('reads the second field of schedstat, and gives undefined when it cannot', () => {
    assert.equal(runQueueWaitNs(() => '186616365 26955402 677\n'), 26955402);
    assert.equal(runQueueWaitNs(() => 'garbage'), undefined);
    assert.equal(
      runQueueWaitNs(() => {
        throw new Error('no /proc');
      }),
      undefined,
    );
  });
});

describe('overlapMs', () => {
  it('counts only the part of a pause inside the window', () => {
    assert.equal(overlapMs(100, 10, 90, 200), 10);
    assert.equal(overlapMs(85, 10, 90, 200), 5);
    assert.equal(overlapMs(195, 10, 90, 200), 5);
    assert.equal(overlapMs(10, 10, 90, 200), 0);
    assert.equal(overlapMs(100, 10, undefined, 200), 0);
  });
});

describe('probe methods', () => {
  it('are the protocol’s ModelInfoRequest and SearchRequest', () => {
    assert.equal(PING_METHOD, ModelInfoRequest.method);
    assert.equal(SEARCH_METHOD, SearchRequest.method);
  });
});

describe('HostStats', () => {
  it('marks activation and readiness, counts status updates, probes a ready engine and writes its file atomically', async () => {
    const dir = tempDir('t5-host-stats-');
    try {
      const file = join(dir, 'stats.json');
      const stats = new HostStats(file);
      stats.activationStarted();
      // activate()'s synchronous part: its CPU time must show in the snapshot's activation window.
      const busyUntil = performance.now() + 30;
      while (performance.now() < busyUntil);

      const listeners: (() => void)[] = [];
      const sent: string[] = [];
      const source: StatusSource & { status: EngineStatus; indexStatus: IndexStatus | undefined } = {
        status: { state: 'loading', model: 'm' },
        indexStatus: undefined,
        onDidChangeStatus: (l) => {
          listeners.push(l);
          return { dispose: () => listeners.splice(listeners.indexOf(l), 1) };
        },
        runningClient: {
          sendRequest: async (method: unknown) => {
            sent.push(String(method));
            return {};
          },
        },
      };
      stats.watch(source);
      const fire = () => listeners.forEach((l) => l());
      source.status = { state: 'ready', model: 'm' };
      fire();
      source.indexStatus = { state: 'indexing', filesIndexed: 1, filesTotal: 9, chunks: 1 };
      fire();
      source.indexStatus = { ...source.indexStatus, filesIndexed: 2 };
      fire();
      source.indexStatus = { ...source.indexStatus, state: 'idle' };
      fire();
      // Long enough for a ping (every 500 ms) and one 1-second sample.
      await new Promise((r) => setTimeout(r, 1100));
      stats.dispose();

      const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
      assert.deepEqual(readdirSync(dir), ['stats.json'], 'no temporary file is left behind');
      assert.equal(snap.pid, process.pid);
      for (const name of ['activateCalled', 'activateYielded', 'engineReady', 'indexIdle']) assert.equal(typeof snap.marks[name], 'number', name);
      assert.ok(snap.marks.activateCalled <= snap.marks.activateYielded);
      assert.ok(snap.activation, 'the synchronous part is split by what the main thread did');
      assert.equal(typeof snap.activation.gcMs, 'number');
      assert.ok(snap.marks.activateYielded - snap.marks.activateCalled >= 30);
      assert.ok(snap.activation.cpuMs >= 5, JSON.stringify(snap.activation));
      if (process.platform === 'linux') assert.ok((snap.activation.runQueueMs ?? -1) >= 0, JSON.stringify(snap.activation));
      assert.ok(snap.moduleLoadedAt <= snap.marks.activateCalled);
      assert.deepEqual(
        snap.events.map((e) => e.name),
        ['engine:loading', 'engine:ready', 'index:indexing', 'index:idle'],
      );
      // The initial call plus four updates, over the samples.
      assert.equal(
        snap.samples.reduce((n, s) => n + s.statusUpdates, 0),
        5,
      );
      assert.ok(snap.samples.length >= 2, 'one sample a second, and one on dispose');
      assert.ok(snap.samples.every((s) => s.delay.count > 0 || s.delay.maxMs === 0));
      assert.ok(snap.samples.every((s) => s.gcMaxMs >= 0 && s.cpuMs >= 0), 'GC and CPU figures in every sample');
      assert.ok(sent.includes(PING_METHOD), `probes sent: ${sent.join(', ')}`);
      const ping = snap.probes.find((p) => p.kind === 'ping');
      assert.ok(ping?.ok && ping.ms >= 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not probe an engine that is not ready', async () => {
    const stats = new HostStats(join(tmpdir(), `t5-host-stats-${process.pid}-never.json`));
    const sent: unknown[] = [];
    stats.watch({
      status: { state: 'loading', model: 'm' },
      indexStatus: undefined,
      onDidChangeStatus: () => ({ dispose() {} }),
      runningClient: { sendRequest: async (m: unknown) => sent.push(m) },
    });
    await new Promise((r) => setTimeout(r, 600));
    stats.dispose();
    rmSync(stats.file, { force: true });
    assert.deepEqual(sent, []);
    assert.deepEqual(stats.snapshot().probes, []);
  });
});
