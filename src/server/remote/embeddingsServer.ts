/**
 * @file `t5-semantic serve`: this engine behind the OpenAI-compatible `POST /v1/embeddings` protocol
 * (plus `GET /v1/models` and `GET /health`), so one machine can encode for others and the client is
 * tested against a real server. Loopback by default; requests are size-limited, optionally need a
 * bearer key, and are run one at a time through the engine.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IndexEngine } from '../indexing/workspaceIndex';

export interface ServeOptions {
  engine: Pick<IndexEngine, 'info' | 'embed' | 'countTokens'>;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Requests must carry `Authorization: Bearer <apiKey>` when set. */
  apiKey?: string;
  maxBodyBytes?: number;
  maxInputs?: number;
  log?: (message: string) => void;
}

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const DEFAULTS = Object.freeze({ host: '127.0.0.1', port: 8080, maxBodyBytes: 16 * 1024 * 1024, maxInputs: 2048 });

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly type = 'invalid_request_error') {
    super(message);
  }
}

export async function startEmbeddingsServer(options: ServeOptions): Promise<RunningServer> {
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Required<Omit<ServeOptions, 'apiKey' | 'log'>> & ServeOptions;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const wanted = o.apiKey ? digest(`Bearer ${o.apiKey}`) : undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
    if (wanted && !(req.headers.authorization && timingSafeEqual(digest(req.headers.authorization), wanted))) throw new HttpError(401, 'Missing or wrong API key (Authorization: Bearer <key>).', 'authentication_error');
    if (req.method === 'GET' && path === '/health') return send(res, 200, { status: 'ok', model: o.engine.info.id });
    if (req.method === 'GET' && path === '/v1/models') return send(res, 200, { object: 'list', data: [{ id: o.engine.info.id, object: 'model', owned_by: 't5-semantic' }] });
    if (path !== '/v1/embeddings' && path !== '/embeddings') throw new HttpError(404, `No route ${req.method} ${path}; this server answers POST /v1/embeddings.`);
    if (req.method !== 'POST') throw new HttpError(405, 'Use POST for /v1/embeddings.');
    const body = await readBody(req, o.maxBodyBytes);
    let doc: { input?: unknown; encoding_format?: unknown };
    try {
      doc = JSON.parse(body) as typeof doc;
    } catch {
      throw new HttpError(400, 'The request body is not JSON.');
    }
    const input = typeof doc?.input === 'string' ? [doc.input] : doc?.input;
    if (!Array.isArray(input) || !input.length || !input.every((t) => typeof t === 'string')) throw new HttpError(400, '"input" must be a string or a non-empty array of strings (token arrays are not supported).');
    if (input.length > o.maxInputs) throw new HttpError(400, `"input" has ${input.length} texts; at most ${o.maxInputs} per request.`);
    const format = doc.encoding_format ?? 'float';
    if (format !== 'float' && format !== 'base64') throw new HttpError(400, '"encoding_format" must be "float" or "base64".');
    const texts = input as string[];
    const { vectors } = await serialized(() => o.engine.embed(texts));
    const tokens = texts.reduce((n, t) => n + o.engine.countTokens(t), 0);
    send(res, 200, {
      object: 'list',
      model: o.engine.info.id,
      data: vectors.map((v, index) => ({
        object: 'embedding',
        index,
        embedding: format === 'base64' ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v),
      })),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 500) o.log?.(`serve: ${(e as Error).stack ?? String(e)}`);
      send(res, status, { error: { message: e instanceof HttpError ? e.message : 'The engine failed on this request.', type: e instanceof HttpError ? e.type : 'server_error', code: status } });
    });
  });
  server.requestTimeout = 5 * 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > max) return reject(new HttpError(413, `The request body is ${declared} bytes; at most ${max}.`));
    const chunks: Buffer[] = [];
    let total = 0;
    req.on('data', (c: Buffer) => {
      total += c.length;
      if (total > max) {
        reject(new HttpError(413, `The request body is larger than ${max} bytes.`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) return;
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
