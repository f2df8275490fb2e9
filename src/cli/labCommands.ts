/**
 * @file `t5-semantic evaluate <folder>` and `adapt <folder> --out <folder>`: the embedding lab on the
 * command line. Ctrl+C cancels cleanly (a half-written model folder is removed).
 */
import { parseArgs } from 'node:util';
import { adapt } from '../server/lab/adapt';
import { evaluate } from '../server/lab/evaluate';
import type { EvaluateResult, LabProgress, PairedComparison, LabToken, LayerResult, MethodResult, RankingMetrics } from '../server/lab/types';
import { folderArg } from './indexCommands';
import { integer, loadEngine, MODEL_OPTIONS, oneOf, UsageError } from './options';

const LAB_OPTIONS = {
  ...MODEL_OPTIONS,
  json: { type: 'boolean', default: false },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  out: { type: 'string' },
  loss: { type: 'string', default: 'contrastive' },
  rank: { type: 'string' },
  epochs: { type: 'string' },
  seed: { type: 'string' },
} as const;

function parse(args: string[]) {
  try {
    return parseArgs({ args, options: LAB_OPTIONS, allowPositionals: true });
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError((e as Error).message);
    throw e;
  }
}

/** Cancelled by Ctrl+C; progress on stderr when it is a terminal. */
function session(): { token: LabToken; onProgress: (p: LabProgress) => void; done: () => void } {
  const token = { isCancellationRequested: false };
  const onSigint = () => (token.isCancellationRequested = true);
  process.once('SIGINT', onSigint);
  const tty = process.stderr.isTTY;
  return {
    token,
    onProgress: (p) => tty && process.stderr.write(`\r\x1b[K${p.message}`),
    done: () => {
      process.off('SIGINT', onSigint);
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}

const rules = (v: ReturnType<typeof parse>['values']) => ({ include: v.include, exclude: v.exclude });

export async function evaluateCommand(args: string[]): Promise<unknown> {
  const { values, positionals } = parse(args);
  const folder = folderArg(positionals, 'evaluate');
  const engine = await loadEngine(values);
  const s = session();
  try {
    const result = await evaluate({ folder, engine, rules: rules(values) }, s.onProgress, s.token);
    s.done();
    if (values.json) return result;
    process.stdout.write(formatEvaluation(result));
    return undefined;
  } finally {
    s.done();
    await engine.dispose();
  }
}

export async function adaptCommand(args: string[]): Promise<unknown> {
  const { values, positionals } = parse(args);
  const folder = folderArg(positionals, 'adapt');
  if (!values.out) throw new UsageError('adapt needs --out <folder>: where the adapted model is written.');
  const loss = oneOf(values.loss, ['contrastive', 'triplet'] as const, '--loss')!;
  const train = {
    ...(values.rank !== undefined && { rank: integer(values.rank, '--rank', 1) }),
    ...(values.epochs !== undefined && { maxEpochs: integer(values.epochs, '--epochs', 1) }),
    ...(values.seed !== undefined && { seed: integer(values.seed, '--seed', 0) }),
  };
  const engine = await loadEngine(values);
  const s = session();
  try {
    const result = await adapt({ folder, engine, out: values.out, loss, train, rules: rules(values) }, s.onProgress, s.token);
    s.done();
    if (values.json) return result;
    const line = (name: string, m: RankingMetrics) => `${name.padEnd(7)} recall@1 ${m.recallAt1.toFixed(3)}  recall@10 ${m.recallAt10.toFixed(3)}  MRR ${m.mrr.toFixed(3)}\n`;
    process.stdout.write(
      `Test pairs (${loss} loss, head on queries and passages):\n${line('before', result.before)}${line('after', result.after)}` +
        (result.applied ? `Written to ${values.out}: use it as the model for both indexing and queries.\n` : 'Not written: the test MRR did not improve.\n'),
    );
    return undefined;
  } finally {
    s.done();
    await engine.dispose();
  }
}

function versusLine(name: string, c: PairedComparison): string {
  const f = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(3);
  return `vs ${name} ${c.wins}/${c.losses}/${c.ties}, p ${c.signTestP.toPrecision(2)}, ${f(c.mrrDelta)} [${f(c.mrrDeltaCi95[0])}, ${f(c.mrrDeltaCi95[1])}]`;
}

export function formatEvaluation(r: EvaluateResult): string {
  const p = r.pairs;
  const sources = Object.entries(p.sources)
    .filter(([, n]) => n)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const row = (name: string, m: RankingMetrics) => `${name.padEnd(22)} ${m.recallAt1.toFixed(3).padStart(8)} ${m.recallAt10.toFixed(3).padStart(9)} ${m.mrr.toFixed(3).padStart(7)}\n`;
  const vs: string[] = [];
  let out = `Pairs: ${p.train} train, ${p.validation} validation, ${p.test} test (${sources})\n\n${'setting'.padEnd(22)} recall@1 recall@10     MRR\n`;
  for (const x of r.results) {
    if ('pooling' in x) out += row(`${(x as LayerResult).pooling} @ layer ${x.layer}`, x);
    else {
      const m = x as MethodResult;
      out += row(m.weight !== undefined ? `${m.method} (weight ${m.weight})` : m.method, m);
      if (m.versus) vs.push(`${m.method}: ${versusLine('keyword', m.versus.keyword)}; ${versusLine('semantic', m.versus.semantic)}`);
    }
  }
  if (vs.length) out += `\nQuery by query (wins/losses/ties on reciprocal rank, sign test p, MRR gap with its bootstrap 95% interval):\n${vs.map((l) => `  ${l}\n`).join('')}`;
  return `${out}\nSelf-supervised pairs (a heading for its section, a doc comment's first sentence or symbol for its text) approximate real queries; they are not a benchmark of the model.\n`;
}
