/** @file Starts the bundled CLI's MCP server with the SDK's real client, and waits on its answers. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { join } from 'node:path';
import { repoRoot, sharedDir } from '../support/paths';

export const MODEL = join(sharedDir, 'models', 'docs-t5-ppmi');

export interface McpSession {
  client: Client;
  pid: number;
  stderr: () => string;
  close(): Promise<void>;
  call(name: string, args?: Record<string, unknown>): Promise<{ isError?: boolean; text: string; structured: any }>;
}

export async function startServer(folders: string[], storage: string, extra: string[] = []): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(repoRoot, 'dist', 'cli.js'), 'mcp', ...folders, '--model', MODEL, '--storage', storage, '--offline', '--poll-ms', '200', ...extra],
    stderr: 'pipe',
  });
  let log = '';
  transport.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const client = new Client({ name: 'mcp-test', version: '1.0.0' });
  await client.connect(transport);
  const call: McpSession['call'] = async (name, args = {}) => {
    const r = (await client.callTool({ name, arguments: args })) as { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: unknown };
    return { isError: r.isError, text: r.content.map((c) => c.text).join('\n'), structured: r.structuredContent };
  };
  return { client, pid: transport.pid!, stderr: () => log, close: () => client.close(), call };
}

/** Asks until `check` passes (the answer changes when the server's index does), or fails with the last answer. */
export async function until<T>(ask: () => Promise<T>, check: (v: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await ask();
    if (check(last)) return last;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; last answer: ${JSON.stringify(last).slice(0, 600)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const ready = (s: McpSession) => until(() => s.call('index_status'), (r) => r.structured?.coverage.state === 'ready', 'the index to be ready');
