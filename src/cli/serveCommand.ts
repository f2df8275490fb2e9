/**
 * @file `t5-semantic serve [--port n] [--host h]`: this engine on the OpenAI-compatible embeddings
 * protocol, for other machines' `--embeddings-url` (and the client's tests). Binds 127.0.0.1 unless
 * told otherwise; with T5_SEMANTIC_API_KEY set, requests must carry it as a bearer token.
 */
import { parseArgs } from 'node:util';
import { startEmbeddingsServer } from '../server/remote/embeddingsServer';
import { isLoopback } from '../server/remote/embeddingsClient';
import { integer, loadEngine, MODEL_OPTIONS, UsageError } from './options';
import { API_KEY_ENV } from './remoteOptions';

const SERVE_OPTIONS = { ...MODEL_OPTIONS, port: { type: 'string', default: '8080' }, host: { type: 'string', default: '127.0.0.1' } } as const;

export async function serveCommand(args: string[]): Promise<unknown> {
  let values: ReturnType<typeof parseArgs<{ options: typeof SERVE_OPTIONS }>>['values'];
  try {
    ({ values } = parseArgs({ args, options: SERVE_OPTIONS, allowPositionals: false }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const port = integer(values.port, '--port', 0);
  if (port > 65535) throw new UsageError(`--port must be at most 65535; got ${port}.`);
  const apiKey = process.env[API_KEY_ENV] || undefined;
  if (!isLoopback(values.host) && !apiKey) process.stderr.write(`t5-semantic: serving on ${values.host} without an API key: anyone who can reach it can use this machine's encoder (set ${API_KEY_ENV}).\n`);
  const engine = await loadEngine(values);
  const running = await startEmbeddingsServer({ engine, host: values.host, port, apiKey, log: (m) => process.stderr.write(`${m}\n`) });
  // The address goes to stdout, one line, so scripts (and tests) can wait for it.
  process.stdout.write(`${JSON.stringify({ url: `${running.url}/v1/embeddings`, model: engine.info.id, dimensions: engine.info.dimensions })}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running.close();
  await engine.dispose();
  return undefined;
}
