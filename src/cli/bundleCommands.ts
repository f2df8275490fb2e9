/**
 * @file `t5-semantic export <folder> --out <file>` and `t5-semantic import <file>…`: index bundles on the
 * command line. Export brings the folder's index up to date (only its shard with --shard) and writes the
 * vectors of its chunks; import checks every bundle given (format, checksum, model key) before merging
 * any, so one bad file imports nothing.
 */
import { join, resolve } from 'node:path';
import { checkBundleKey, exportBundle, mergeBundle, readBundle, type ImportResult } from '../server/bundle/bundleIo';
import { modelKeyOf, vectorFolder, type ModelKey } from '../server/bundle/modelKey';
import { adoptLegacyStorage } from '../server/indexing/indexContents';
import type { IndexEngine } from '../server/indexing/workspaceIndex';
import { VectorStore } from '../server/indexing/store/vectorStore';
import { DEFAULT_SETTINGS } from '../shared/settings';
import { folderArg, openIndex, parseIndexArgs, progressBar, shardFlag, type IndexFlags } from './indexCommands';
import { loadEngine, oneOf, UsageError } from './options';
import { withRemote } from './remoteOptions';

/** The key the index opened with these flags stores its vectors under (openIndex's settings). */
export function keyFor(engine: IndexEngine, flags: IndexFlags): ModelKey {
  const quantization = oneOf(flags.quantization, ['int8', 'fp16', 'fp32'] as const, '--quantization') ?? DEFAULT_SETTINGS.index.quantization;
  return modelKeyOf({ info: engine.info, pooling: DEFAULT_SETTINGS.pooling, layer: undefined, quantization });
}

export async function exportCommand(args: string[]): Promise<unknown> {
  const { values, positionals } = parseIndexArgs(args);
  const folder = folderArg(positionals, 'export');
  if (!values.out?.trim()) throw new UsageError('export needs --out <file>: where to write the bundle.');
  if (values.shard !== undefined) shardFlag(values.shard);
  const out = resolve(values.out);
  const engine = await loadEngine(values);
  try {
    const encoder = await withRemote(engine, values);
    const index = openIndex(folder, encoder, values, progressBar());
    await index.update();
    if (process.stderr.isTTY) process.stderr.write('\n');
    const result = exportBundle({ chunks: index.chunks(), store: index.vectors, key: keyFor(encoder, values), out });
    const summary = { ...result, embedded: index.embeddedCount, ...(values.shard === undefined ? {} : { shard: values.shard }) };
    if (values.json) return summary;
    process.stdout.write(`Wrote ${result.vectors} vectors (${(result.bytes / 1e6).toFixed(1)} MB) to ${out}; embedded ${summary.embedded} new chunks` +
      `${result.missing ? `; ${result.missing} chunks have no vector in this bundle${values.shard ? ' (other shards)' : ''}` : ''}.\n`);
    return undefined;
  } finally {
    await engine.dispose();
  }
}

export async function importCommand(args: string[]): Promise<unknown> {
  const { values, positionals } = parseIndexArgs(args);
  if (!positionals.length) throw new UsageError('import needs at least one bundle: t5-semantic import <file>….');
  const files = positionals.map((f) => resolve(f));
  const engine = await loadEngine(values);
  try {
    const key = keyFor(engine, values);
    // Every bundle is read and checked before the store is opened: a bad one imports nothing.
    const bundles = files.map((file) => {
      const bundle = readBundle(file);
      checkBundleKey(bundle, file, key);
      return bundle;
    });
    const folder = vectorFolder(join(values.storage!, 'index'), key);
    // As opening the index would: vectors kept under the model's old id are taken over before merging.
    adoptLegacyStorage(join(values.storage!, 'index'), [], engine.info, { ...DEFAULT_SETTINGS.index, pooling: DEFAULT_SETTINGS.pooling, layer: undefined, quantization: key.quantization });
    const store = new VectorStore(folder, key.dims, key.quantization, (m) => process.stderr.write(`${m}\n`));
    const total: ImportResult = { vectors: 0, added: 0, present: 0, differing: 0 };
    for (const bundle of bundles) {
      const r = mergeBundle(bundle, store);
      for (const k of Object.keys(total) as (keyof ImportResult)[]) total[k] += r[k];
    }
    const summary = { bundles: files.length, ...total, storeVectors: store.size, store: folder };
    if (values.json) return summary;
    process.stdout.write(`Imported ${files.length} bundle${files.length === 1 ? '' : 's'}: ${total.added} vectors added, ${total.present} already present` +
      `${total.differing ? `, ${total.differing} kept as they were (the store's vector differs from the bundle's)` : ''}; the store now holds ${store.size}.\n`);
    return undefined;
  } finally {
    await engine.dispose();
  }
}
