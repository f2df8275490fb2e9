/**
 * @file MCP server timings: start to first answer on a folder (default this repository), and
 * semantic_search latency through MCP on a generated workspace of about 10k chunks.
 * `node --import tsx scripts/mcpBench.ts [folder] [--files 7500]` (after `node esbuild.mjs`)
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateWorkspace, sentence } from '../test/support/generatedWorkspace';
import { ready, startServer } from '../test/integration/mcpSupport';
import { tempDir } from '../test/support/tempDir';

const args = process.argv.slice(2);
const filesAt = args.indexOf('--files');
const files = filesAt >= 0 ? Number(args[filesAt + 1]) : 7500;
const folder = resolve(args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--files') ?? '.');

async function firstAnswer(storage: string, label: string): Promise<void> {
  const t0 = performance.now();
  const s = await startServer([folder], storage);
  const connected = performance.now();
  const r = await s.call('semantic_search', { query: 'how the index is kept on disk and survives a crash', maxResults: 5 });
  const answered = performance.now();
  const done = await ready(s);
  const t = (x: number) => `${Math.round(x - t0)} ms`;
  console.log(`${label}: connected ${t(connected)}, first answer ${t(answered)} (coverage ${r.structured.coverage.percent}%, ${r.structured.hits.length} hits), ready ${t(performance.now())} (${done.structured.coverage.filesIndexed} files, ${done.structured.coverage.chunks} chunks)`);
  await s.close();
}

async function main(): Promise<void> {
  const storage = tempDir('t5-mcp-bench-');
  const ws = generateWorkspace(files);
  try {
    await firstAnswer(storage, `${folder}, cold (empty storage)`);
    await firstAnswer(storage, `${folder}, warm (index on disk)`);
    const t0 = performance.now();
    const s = await startServer([ws], storage);
    const st = await ready(s);
    console.log(`generated workspace: ${st.structured.coverage.filesIndexed} files, ${st.structured.coverage.chunks} chunks, ${st.structured.vectors} vectors, indexed in ${Math.round(performance.now() - t0)} ms`);
    for (const mode of ['semantic', 'hybrid', 'keyword']) {
      const times: number[] = [];
      for (let i = 0; i < 40; i++) {
        const t = performance.now();
        const r = await s.call('semantic_search', { query: sentence(i * 97 + 5, 8), mode, maxResults: 10 });
        times.push(performance.now() - t);
        if (r.isError) throw new Error(r.text);
      }
      times.sort((a, b) => a - b);
      console.log(`semantic_search ${mode}: median ${times[20].toFixed(1)} ms, p90 ${times[36].toFixed(1)} ms, max ${times[39].toFixed(1)} ms (40 calls)`);
    }
    await s.close();
  } finally {
    rmSync(storage, { recursive: true, force: true });
    rmSync(ws, { recursive: true, force: true });
  }
}

void main();
