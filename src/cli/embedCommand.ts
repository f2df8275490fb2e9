/** @file `t5-semantic embed`: a JSON array of strings on stdin → vectors, hidden states or ids on stdout. */
import { parseArgs } from 'node:util';
import { loadEngine, MODEL_OPTIONS, oneOf, integer, UsageError } from './options';

export async function embedCommand(args: string[]): Promise<unknown> {
  const { values } = parseArgs({
    args,
    options: { ...MODEL_OPTIONS, 'cache-dir': { type: 'string' }, pooling: { type: 'string' }, layer: { type: 'string' }, output: { type: 'string', default: 'embedding' } },
  });
  const pooling = oneOf(values.pooling, ['mean', 'cls', 'max'] as const, '--pooling');
  const output = oneOf(values.output, ['embedding', 'hidden', 'ids'] as const, '--output')!;
  const layer = values.layer === undefined ? undefined : integer(values.layer, '--layer', 0);
  const texts = parseTexts(await readStdin());
  const engine = await loadEngine({ ...values, storage: values['cache-dir'] ?? values.storage });
  try {
    if (output === 'ids') return engine.tokenize(texts).ids;
    if (output === 'hidden') return (await engine.hiddenStates(texts, { layer })).hidden.map((rows) => rows.map((r) => Array.from(r)));
    return (await engine.embed(texts, { pooling, layer })).vectors.map((v) => Array.from(v));
  } finally {
    await engine.dispose();
  }
}

function parseTexts(input: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    throw new UsageError('stdin must be a JSON array of strings; it is not valid JSON.');
  }
  if (!Array.isArray(parsed)) throw new UsageError(`stdin must be a JSON array of strings; got a JSON ${typeof parsed}.`);
  parsed.forEach((t, i) => {
    if (typeof t !== 'string') throw new UsageError(`stdin item ${i} must be a string; got ${JSON.stringify(t)?.slice(0, 40)}.`);
  });
  return parsed as string[];
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
