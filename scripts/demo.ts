/**
 * @file The main job: a T5-architecture sentence-transformers model run over the demo workspace's
 * paragraphs, printing the model, the embedding speed and each paragraph's nearest neighbour.
 * Where `../shared/models/docs-t5-ppmi` is present (a T5 model whose token vectors come from word
 * co-occurrence statistics of technical manuals; see its README) the neighbours mean something. Else the
 * project's generator makes a T5-small-shaped model with seeded random weights: the whole pipeline
 * (tokenizer, encoder graph, pooling, Normalize) is real and identical paragraphs score 1.000, but
 * similarities between different texts mean nothing.
 * `npm run demo -- --vscode` then opens the demo workspace in code-server with the extension installed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Engine } from '../src/server/engine/engine';
import { cosine } from '../src/server/engine/pooling';
import { generateT5Model } from '../src/tools/generateModel';
import { splitParagraphs } from '../src/extension/search/paragraphs';

const root = join(__dirname, '..');
const workspace = join(root, 'demo', 'workspace');
const PPMI = join(root, '..', 'shared', 'models', 'docs-t5-ppmi');

/** The model to demonstrate, and a line saying what it is. */
function chooseModel(): { folder: string; id: string } {
  if (existsSync(join(PPMI, 'config.json'))) {
    console.log(`Model: ${relative(root, PPMI)}, a T5-architecture sentence-transformers model (2 layers, d_model 256) whose`);
    console.log('token vectors were built from word co-occurrences in technical manuals, not trained: its neighbours');
    console.log('mean something (Spearman 0.50 on STS; trained encoders reach 0.8). Not a substitute for gtr-t5.');
    return { folder: PPMI, id: 'docs-t5-ppmi' };
  }
  const folder = join(root, '.cache', 'models', 'demo-t5-small-st');
  console.log(`Model: ${relative(root, folder)}, a T5-small-shaped model made by the project's generator (seeded random`);
  console.log(`weights; ${relative(root, PPMI)} is not present). Identical paragraphs score 1.000; other similarities mean nothing.`);
  generateT5Model({ out: folder, shape: 'small', ffn: 'relu', seed: 7, dtype: 'F16', sentenceTransformers: { pooling: 'mean' } });
  return { folder, id: 'demo-t5-small-st' };
}

async function main(): Promise<void> {
  const model = chooseModel();
  const modelDir = model.folder;
  const engine = await Engine.load(modelDir, {
    cacheDir: join(root, '.cache', 'engine'),
    threads: 0,
    batchTokenBudget: 8192,
    modelId: model.id,
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
    console.log(`${p.where.padEnd(18)} → ${best.q.where.padEnd(18)} similarity ${best.score.toFixed(3)}`);
    console.log(`    "${clip(p.text)}"\n  → "${clip(best.q.text)}"`);
  });
  await engine.dispose();

  if (process.argv.includes('--vscode')) {
    const { openInCodeServer } = await import('./demoVscode');
    await openInCodeServer(workspace, modelDir);
  } else {
    console.log('\nRun `npm run demo -- --vscode` to open this workspace in code-server with the extension and this model.');
  }
}

const clip = (text: string, max = 100) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
