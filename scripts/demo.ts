/**
 * @file The main job on the project's own default: a T5-small-shaped sentence-transformers model made by the
 * project's generator (no real weights can be downloaded here), run over the demo workspace's paragraphs.
 * Prints the model, the embedding speed and each paragraph's nearest neighbour.
 * `npm run demo -- --vscode` then opens the demo workspace in code-server with the extension installed.
 *
 * The generated weights are random: similarities between different texts mean nothing, but identical
 * paragraphs score 1.000 and the whole pipeline (tokenizer, encoder graph, pooling, Normalize) is real.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Engine } from '../src/server/engine/engine';
import { cosine } from '../src/server/engine/pooling';
import { generateT5Model } from '../src/tools/generateModel';
import { splitParagraphs } from '../src/extension/search/paragraphs';

const root = join(__dirname, '..');
const workspace = join(root, 'demo', 'workspace');
const modelDir = join(root, '.cache', 'models', 'demo-t5-small-st');

async function main(): Promise<void> {
  console.log(`Generating a T5-small-shaped sentence-transformers model (seeded random weights) in ${relative(root, modelDir)}`);
  generateT5Model({ out: modelDir, shape: 'small', ffn: 'relu', seed: 7, dtype: 'F16', sentenceTransformers: { pooling: 'mean' } });

  const engine = await Engine.load(modelDir, {
    cacheDir: join(root, '.cache', 'engine'),
    threads: 0,
    batchTokenBudget: 8192,
    modelId: 'demo-t5-small-st',
    log: (m) => console.log(`  ${m}`),
  });
  const paragraphs = readdirSync(workspace).flatMap((file) =>
    splitParagraphs(readFileSync(join(workspace, file), 'utf8'))
      .filter((p) => !p.text.startsWith('#'))
      .map((p) => ({ where: `${file}:${p.startLine + 1}`, text: p.text })),
  );
  const started = performance.now();
  const { vectors } = await engine.embed(paragraphs.map((p) => p.text));
  const seconds = (performance.now() - started) / 1000;
  console.log(`\nEmbedded ${paragraphs.length} paragraphs into ${engine.info.dimensions}-d vectors in ${(seconds * 1000).toFixed(0)} ms`);
  console.log(`Pipeline: ${engine.info.pipeline.join(' → ')}\n`);
  paragraphs.forEach((p, i) => {
    const best = paragraphs
      .map((q, j) => ({ q, score: j === i ? -Infinity : cosine(vectors[i], vectors[j]) }))
      .reduce((a, b) => (b.score > a.score ? b : a));
    console.log(`${p.where.padEnd(18)} → ${best.q.where.padEnd(18)} similarity ${best.score.toFixed(3)}  "${p.text.slice(0, 60)}…"`);
  });
  await engine.dispose();

  if (process.argv.includes('--vscode')) {
    const { openInCodeServer } = await import('./demoVscode');
    await openInCodeServer(workspace, modelDir);
  } else {
    console.log('\nRun `npm run demo -- --vscode` to open this workspace in code-server with the extension and this model.');
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
