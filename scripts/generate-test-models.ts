/**
 * @file Writes the generated test models into .cache/models/ (git-ignored), once: a model is rebuilt only
 * when its stamp (generator version + options + tokenizer sizes) differs. Each model is built in a temp
 * folder and renamed into place, so an interrupted run never leaves a half-written model.
 *   tiny-st5-gen    tiny, relu, F16, sentence-transformers with Dense 32→24 (like golden/tiny-st5)
 *   tiny-t5v11-gen  tiny, gated-gelu, F32, plain encoder folder (like golden/tiny-t5v11)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_TOKENIZER_DIR, GENERATOR_VERSION, generateT5Model, type GenerateOptions } from '../src/tools/generateModel';

const root = path.resolve(__dirname, '..');
const modelsDir = path.join(root, '.cache', 'models');

const MODELS: Readonly<Record<string, Omit<GenerateOptions, 'out'>>> = Object.freeze({
  'tiny-st5-gen': { shape: 'tiny', ffn: 'relu', seed: 1, dtype: 'F16', sentenceTransformers: { denseOut: 24, pooling: 'mean' } },
  'tiny-t5v11-gen': { shape: 'tiny', ffn: 'gated-gelu', seed: 2, dtype: 'F32' },
});

function stampFor(options: Omit<GenerateOptions, 'out'>): string {
  const tokenizerDir = options.tokenizerDir ?? DEFAULT_TOKENIZER_DIR;
  const tokenizer = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'].map((f) => fs.statSync(path.join(tokenizerDir, f)).size);
  return `${JSON.stringify({ generator: GENERATOR_VERSION, options, tokenizer }, null, 2)}\n`;
}

function main(): void {
  fs.mkdirSync(modelsDir, { recursive: true });
  for (const [name, options] of Object.entries(MODELS)) {
    const folder = path.join(modelsDir, name);
    const stampFile = path.join(modelsDir, `${name}.stamp.json`);
    const stamp = stampFor(options);
    if (fs.existsSync(folder) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) {
      console.log(`${name}: up to date`);
      continue;
    }
    const tmp = `${folder}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    const started = Date.now();
    generateT5Model({ ...options, out: tmp });
    fs.rmSync(stampFile, { force: true });
    fs.rmSync(folder, { recursive: true, force: true });
    fs.renameSync(tmp, folder);
    fs.writeFileSync(stampFile, stamp);
    console.log(`${name}: generated in ${Date.now() - started} ms`);
  }
}

main();
