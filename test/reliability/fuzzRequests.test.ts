/**
 * Fuzzing: every custom request of src/shared/protocol.ts (found by its `t5Semantic/` method, so requests
 * added later are fuzzed too) is sent seeded random and malformed parameters: wrong types, huge strings,
 * deep objects, NaN and Infinity (JSON turns them into null), negative and huge numbers, odd Unicode,
 * unknown URIs and paths outside the workspace (file:///etc/passwd, ../ traversal, encoded dots, remote
 * hosts). Each case must get a result or a JSON-RPC error; after every batch a ping (modelInfo) must answer.
 * A crash is recorded and the sidecar restarted, and the test fails listing them.
 *
 * Hostile index settings (globs with ../ and absolute paths, negative sizes) are tried too.
 * While fuzzing, `strace` follows the sidecar's file system calls: it must touch no path outside the
 * workspace, its storage folder, the model folder and its own bundle (plus /proc, /sys and /dev).
 *
 * Cases: 200 per request in CI, 2,000 with `T5_RELIABILITY_LONG=1` (reloadModel: 10 / 50, it reloads the
 * model each time); seed `T5_RELIABILITY_SEED`.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import * as protocol from '../../src/shared/protocol';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { goldenDir, repoRoot } from '../support/paths';
import { LONG, SEED, seededRandom } from '../support/reliability';
import { startSidecar, type Sidecar } from '../support/sidecar';
import { makeWorkspace } from '../support/workspaceFixture';
import { pathsOutside, traceFiles, tracedPaths } from './fileTrace';
import { tempDir } from '../support/tempDir';

const CASES = Number(process.env.T5_RELIABILITY_FUZZ_CASES) || (LONG ? 2000 : 200);
const CASES_FOR: Readonly<Record<string, number>> = { 't5Semantic/reloadModel': LONG ? 50 : 10 };
const BATCH = 25;
const CASE_TIMEOUT_MS = 60_000;
const settings = { model: goldenDir('tiny-st5'), offline: true, threads: 1, duplicates: { enabled: true, severity: { exact: 'information', near: 'warning', paraphrase: 'information' }, minWords: 8, nearThreshold: 0.7, paraphraseThreshold: 0.92, maxFiles: 5 } } as const;

/** Every custom request method in the protocol module. */
const METHODS = Object.values(protocol as Record<string, unknown>)
  .filter((v): v is { method: string } => typeof v === 'object' && v !== null && 'method' in v && typeof (v as { method: unknown }).method === 'string')
  .map((v) => v.method)
  .filter((m) => m.startsWith('t5Semantic/') && !/Notification$/.test(m) && !['t5Semantic/engineStatus', 't5Semantic/indexStatus', 't5Semantic/duplicatesChanged'].includes(m));

type Random = ReturnType<typeof seededRandom>;

const OUTSIDE_URIS = [
  'file:///etc/passwd',
  'file:///etc/shadow',
  'file:///root/.ssh/id_rsa',
  'file:///proc/self/environ',
  'file://remote-host/share/x.md',
  'file:%2Fetc%2Fpasswd',
  'file:///tmp/../etc/passwd',
  'file:///%2e%2e/%2e%2e/etc/passwd',
  'file:',
  'file://',
  'http://example.com/x.md',
  'untitled:Untitled-1',
  'vscode-remote://ssh-remote+x/etc/passwd',
  '../../../../etc/passwd',
  '/etc/passwd',
  '~/.bashrc',
  'C:\\Windows\\win.ini',
  '\\\\server\\share\\x',
];

function hugeString(r: Random): string {
  const size = r.pick([70_000, 1_000_000, 3_000_000]);
  return r.pick(['a', 'é', '𝄞', ' ', '\u0000', 'word ']).repeat(size / 5);
}

function oddString(r: Random): string {
  return r.pick([
    '',
    ' ',
    '\u0000',
    '\ud800',
    '\udfff\ud800',
    '\u202e\u202d',
    '𝄞'.repeat(50),
    '"}]\n\r',
    '<script>alert(1)</script>',
    '${process.exit()}',
    '%s%n%x',
    '**/*',
    '{a,b}/**/[!x]',
    '(((((((((((a)))))))))))*'.repeat(20),
    '__proto__',
    'constructor',
    'pause',
    'resume',
    'reindex',
    'hybrid',
    'semantic',
    'keyword',
    'mean',
    'hidden',
    'ids',
    'deadbeef',
    'a'.repeat(64),
    ...OUTSIDE_URIS,
  ]);
}

function deep(depth: number, r: Random): unknown {
  let v: unknown = r.pick([1, 'x', null]);
  for (let i = 0; i < depth; i++) v = r.next() < 0.5 ? [v] : { a: v };
  return v;
}

/** A random JSON-able value of any shape. */
function anyValue(r: Random, depth = 0): unknown {
  const k = r.int(0, depth > 2 ? 9 : 13);
  switch (k) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick([0, -0, -1, 1, 1.5, -(2 ** 31), 2 ** 31, 2 ** 53 + 2, -1e308, 1e308, Number.MIN_VALUE, NaN, Infinity, -Infinity]);
    case 3:
      return r.int(-1000, 100_000);
    case 4:
    case 5:
      return oddString(r);
    case 6:
      // Huge strings only near the top, so one case stays a few MB.
      return depth <= 1 && r.next() < 0.15 ? hugeString(r) : 'text '.repeat(r.int(0, 50));
    case 7:
      return r.pick(OUTSIDE_URIS);
    case 8:
      return undefined;
    case 9:
      return deep(r.pick([10, 100, 2000]), r);
    case 10:
    case 11:
      return r.next() < 0.1 ? Array.from({ length: 2000 }, () => r.pick([0, 'x', null, {}, []])) : Array.from({ length: r.int(0, 6) }, () => anyValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(0, 6); i > 0; i--) o[r.pick(['texts', 'query', 'uri', 'action', 'topK', 'mode', 'pooling', 'layer', 'output', 'candidates', 'fingerprint', 'include', 'exclude', 'kinds', 'perFile', 'languages', 'id', 'text', '__proto__', 'constructor'])] = anyValue(r, depth + 1);
      return o;
    }
  }
}

/** Well-formed parameters for each request, which the fuzzer then breaks one field at a time. */
function template(method: string, r: Random, workspace: string): Record<string, unknown> {
  const inside = pathToFileURL(join(workspace, r.pick(['README.md', 'src/parser.ts', 'ignored/secret.md', 'nope.md']))).href;
  switch (method) {
    case 't5Semantic/embed':
      return { texts: ['some text', 'more text'], pooling: 'mean', layer: 2, output: r.pick(['embedding', 'hidden', 'ids']) };
    case 't5Semantic/similar':
      return { query: 'a query', candidates: [{ id: 'a', text: 'first' }, { id: 'b', text: 'second' }], topK: 2 };
    case 't5Semantic/search':
      return { query: 'crash safety', mode: 'hybrid', topK: 5, perFile: 2, include: ['**/*.md'], exclude: [], kinds: 'both', languages: ['markdown'] };
    case 't5Semantic/whyNotIndexed':
      return { uri: inside };
    case 't5Semantic/setIndexing':
      return { action: r.pick(['pause', 'resume', 'resume', 'reindex']) };
    case 't5Semantic/duplicateGroups':
      return { uri: inside };
    case 't5Semantic/ignoreDuplicate':
      return { fingerprint: 'ab'.repeat(r.int(4, 32)), uri: inside };
    default:
      return { uri: inside, query: 'x', topK: 3 };
  }
}

/** A case: fully random parameters, or a template with one to three fields replaced or removed. */
function makeCase(method: string, r: Random, workspace: string): unknown {
  if (r.next() < 0.35) return anyValue(r);
  const params = template(method, r, workspace);
  const keys = [...Object.keys(params), 'uri', 'extra', '__proto__'];
  for (let n = r.int(1, 3); n > 0; n--) {
    const key = r.pick(keys);
    if (r.next() < 0.2) delete params[key];
    else params[key] = r.next() < 0.3 ? r.pick(OUTSIDE_URIS) : anyValue(r);
  }
  return params;
}

interface Tally {
  cases: number;
  results: number;
  errors: Map<number, number>;
  crashes: string[];
  /** Internal-error messages: bad input that reached code which did not expect it. */
  internal: Set<string>;
  millis: number;
}

describe('fuzzing every custom request', { timeout: 170_000 }, () => {
  let workspace: string;
  let storage: string;
  let sidecar: Sidecar;
  let tracer: ChildProcess | undefined;
  const traceOut = join(tempDir('t5-fuzz-trace-'), 'trace.txt');
  const tallies = new Map<string, Tally>();
  const restarts: string[] = [];

  async function start() {
    sidecar = await startSidecar(settings, storage, { folders: [workspace], trusted: true });
    assert.equal((await sidecar.settled()).state, 'ready');
    await sidecar.indexSettled();
  }

  before(async () => {
    workspace = makeWorkspace();
    storage = tempDir('t5-fuzz-storage-');
    await start();
    tracer = traceFiles(sidecar.process.pid!, traceOut);
    await new Promise((r) => setTimeout(r, 500)); // strace attaches to every thread
  });
  after(async () => {
    tracer?.kill('SIGINT');
    await sidecar.stop();
    rmSync(workspace, { recursive: true, force: true });
    rmSync(storage, { recursive: true, force: true });
  });

  it(`finds the requests to fuzz in the protocol`, () => {
    for (const m of ['t5Semantic/embed', 't5Semantic/similar', 't5Semantic/modelInfo', 't5Semantic/reloadModel', 't5Semantic/search', 't5Semantic/indexDetails', 't5Semantic/whyNotIndexed', 't5Semantic/setIndexing', 't5Semantic/duplicateGroups', 't5Semantic/ignoreDuplicate']) {
      assert.ok(METHODS.includes(m), m);
    }
  });

  it(`answers ${CASES} random and malformed cases per request with a result or an error, and stays alive (seed ${SEED})`, async () => {
    const r = seededRandom(SEED + 3);
    for (const method of METHODS) {
      const tally: Tally = { cases: 0, results: 0, errors: new Map(), crashes: [], internal: new Set(), millis: 0 };
      const started = Date.now();
      tallies.set(method, tally);
      const total = CASES_FOR[method] ?? CASES;
      for (let done = 0; done < total; ) {
        const batch = Array.from({ length: Math.min(BATCH, total - done) }, () => makeCase(method, r, workspace));
        for (const params of batch) {
          tally.cases++;
          done++;
          try {
            const result = await Promise.race([
              sidecar.connection.sendRequest(method, params),
              new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), CASE_TIMEOUT_MS).unref()),
            ]);
            assert.ok(result !== undefined, `${method}: an answer`);
            tally.results++;
          } catch (e) {
            const code = (e as { code?: unknown }).code;
            if (typeof code === 'number') {
              tally.errors.set(code, (tally.errors.get(code) ?? 0) + 1);
              if (code === -32603) tally.internal.add(`${(e as Error).message.slice(0, 120)} ← ${JSON.stringify(params)?.replace(/(.)\1{20,}/gu, "$1…").slice(0, 300)}`);
              assert.ok((e as Error).message.length > 0, 'errors say what went wrong');
              continue;
            }
            const sample = JSON.stringify(params)?.slice(0, 200);
            tally.crashes.push(`${(e as Error).message} on ${sample}`);
            if (sidecar.process.exitCode !== null || sidecar.process.signalCode !== null) {
              restarts.push(`${method}: sidecar died (${sidecar.process.exitCode ?? sidecar.process.signalCode}) on ${sample}`);
              await sidecar.stop();
              await start();
            }
          }
        }
        // Alive and answering after every batch.
        const info = await sidecar.connection.sendRequest(protocol.ModelInfoRequest);
        assert.ok(info.dimensions > 0);
      }
      tally.millis = Date.now() - started;
      // Leave indexing running for the next request's cases.
      await sidecar.connection.sendRequest(protocol.SetIndexingRequest, { action: 'resume' });
    }
    const lines = [...tallies].map(
      ([m, t]) => `${m}: ${t.cases} cases, ${t.results} results, errors ${JSON.stringify(Object.fromEntries(t.errors))}, crashes ${t.crashes.length}, ${(t.millis / 1000).toFixed(1)} s`,
    );
    console.log(lines.join('\n'));
    const internal = [...tallies].flatMap(([m, t]) => [...t.internal].map((msg) => `${m}: ${msg}`));
    if (internal.length) console.log(`internal errors (bad input that reached code not expecting it):\n${internal.join('\n')}`);
    console.log(`fuzz total: ${[...tallies.values()].reduce((n, t) => n + t.cases, 0)} cases over ${METHODS.length} requests; sidecar restarts: ${restarts.length}`);
    const crashes = [...tallies].flatMap(([m, t]) => t.crashes.map((c) => `${m}: ${c}`));
    assert.deepEqual(restarts, [], 'the sidecar never died');
    assert.deepEqual(internal, [], 'bad input is answered as such (-32602), not by code that did not expect it');
    assert.deepEqual(crashes, [], 'every case got a result or a JSON-RPC error');
  });

  it('internal errors are not how bad input is answered: outside paths get a clear answer', async () => {
    for (const uri of OUTSIDE_URIS) {
      const why = await sidecar.connection.sendRequest(protocol.WhyNotIndexedRequest, { uri }).then(
        (v) => v,
        (e: { code: number; message: string }) => e,
      );
      if ('code' in why) {
        assert.equal(why.code, protocol.ErrorCodes.InvalidInput, `${uri}: ${why.message}`);
      } else {
        assert.equal(why.indexed, false, uri);
        assert.match(why.rule ?? '', /outside/, uri);
      }
    }
  });

  it('hostile index settings (globs with ../ and absolute paths, odd sizes) index nothing outside the workspace', async () => {
    const seen = sidecar.indexStatuses.length;
    sidecar.configure({
      index: {
        ...DEFAULT_SETTINGS.index,
        include: ['../**', '/etc/**', '**/../../**', '../../../../etc/passwd', '**/*'],
        exclude: ['../../**', '/**/../**'],
        maxFileBytes: -5,
        minWords: -1,
      },
    } as never);
    const status = await sidecar.indexSettled(seen);
    assert.notEqual(status.state, 'error', status.message);
    const details = await sidecar.connection.sendRequest(protocol.IndexDetailsRequest);
    const paths = [...details.folders.flatMap((f) => f.skipped.map((x) => x.path))];
    assert.ok(paths.every((p) => !p.startsWith('..') && !p.startsWith('/')), paths.join(', '));
    const hits = (await sidecar.connection.sendRequest(protocol.SearchRequest, { query: 'root', mode: 'keyword', topK: 50 })).hits;
    assert.ok(hits.every((h) => h.uri.startsWith(pathToFileURL(workspace).href)), 'every hit is a workspace file');
    sidecar.configure({ index: DEFAULT_SETTINGS.index });
  });

  it('touched no file outside the workspace, its storage, the model and its own bundle', async (t) => {
    if (!tracer) return t.diagnostic('strace is not installed: the file access check did not run');
    tracer.kill('SIGINT');
    await new Promise((r) => tracer!.once('exit', r));
    // Judged by where each path leads (links resolved as the call would follow them), not by its string.
    const traced = tracedPaths(traceOut);
    const outside = pathsOutside(traced, [workspace, storage, goldenDir('tiny-st5'), repoRoot, '/proc/', '/sys/', '/dev/']);
    const viaLinks = traced.filter((t) => t.resolved !== t.path).length;
    console.log(`file access: ${traced.length} distinct paths traced and resolved (${viaLinks} lead elsewhere than their string), ${outside.length} outside the allowed folders`);
    assert.deepEqual(outside, []);
  });
});
