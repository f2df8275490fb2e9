/**
 * @file What the index holds and the queries over it: per workspace folder a file table (chunks of every
 * file), the content-addressed vectors, and the keyword index. Opens them from storage; answers with
 * chunks (`denseTop`, `keywordTop`, `chunks`), never with keys for the caller to parse. Keeping them up
 * to date is WorkspaceIndex's job (workspaceIndex.ts), which extends this.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, renameSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { CHUNKER_VERSION, type Chunk } from './chunker';
import { vectorKeyParts } from './vectorKey';
import type { EmbeddingChoice } from '../engine/embeddingChoice';
import type { Pooling } from '../../shared/protocol';
import { chunkKey, fileKey, parseFileKey, splitChunkKey, type ChunkFilter, type ChunkHit, type ChunkKey, type FileKey, type IndexedChunk } from './chunkKey';
import { topDense, type DenseChunks } from './denseScan';
import { FileRules, type FileRulesConfig, type SkipReason } from './files';
import type { LexicalIndex } from './lexical';
import { FileTable, type FileEntry } from './store/fileTable';
import { KeywordStore, type KeywordSource } from './store/keywordStore';
import { VectorStore, type Quantization } from './store/vectorStore';

const NO_ROW = -1;
/** How long after a query that found the dense list behind (during an update) it is rebuilt. */
const DENSE_REBUILD_DELAY_MS = 40;

export interface IndexEngine {
  readonly info: { id: string; dimensions: number; maxTokens: number; precision: string; legacyIds?: readonly string[] };
  countTokens(text: string): number;
  embed(texts: readonly string[], options?: { checkCancelled?: () => void } & EmbeddingChoice): Promise<{ vectors: Float32Array[] }>;
}

export interface IndexSettings extends FileRulesConfig {
  minWords: number;
  quantization: Quantization;
  /**
   * What chunks and queries are embedded with (engine/embeddingChoice.ts, canonical: 'auto' and undefined
   * are the model's own pooling and last layer); part of the vector key.
   */
  pooling: Pooling | 'auto';
  layer: number | undefined;
  /** A folder's own file rules over these (a multi-root workspace's folders each have their own excludes). */
  folderRules?: (folder: string) => Partial<FileRulesConfig>;
  /** Only chunks whose hash passes are embedded (a sharded build embeds its share); default all. */
  embedOnly?: (hash: string) => boolean;
  /** Another process writes this storage (store/indexLock.ts): load what it saved, never write. */
  readOnly?: boolean;
}

export interface FolderState {
  folder: string;
  rules: FileRules;
  table: FileTable;
}

/** How a query asks the index: the best `limit` chunks the filter keeps. */
export interface ChunkQuery {
  limit: number;
  filter?: ChunkFilter;
}

export interface IndexDetailsData {
  folders: { folder: string; files: number; chunks: number; skipped: [string, SkipReason][] }[];
  vectors: number;
  vectorBytes: number;
}

export class IndexContents implements KeywordSource {
  protected readonly folders: FolderState[] = [];
  private readonly byFolder = new Map<string, FolderState>();
  /** Read by duplicate detection (its ChunkSource); search asks through denseTop. */
  readonly vectors: VectorStore;
  protected lexical: LexicalIndex;
  protected readonly keywords: KeywordStore;
  /** Open editor buffers indexed in place of the file on disk. */
  protected readonly buffers = new Set<FileKey>();
  private dense?: { key: string; list: DenseChunks; layout: number };
  private denseRebuild?: NodeJS.Timeout;
  private readonly entryRows = new WeakMap<FileEntry, { layout: number; rows: Int32Array; complete: boolean }>();
  /** How long opening took, by part (logged, and read by the benchmark). */
  openTimings: { totalMs: number; vectorsMs: number; tablesMs: number; keywordsMs: number };
  /** What chunks were embedded with; a query must be embedded the same way to be compared with them. */
  readonly embedding: EmbeddingChoice;

  constructor(folders: readonly string[], engine: IndexEngine, storagePath: string, settings: IndexSettings, log: (m: string) => void) {
    const info = engine.info;
    this.embedding = Object.freeze({ ...(settings.pooling !== 'auto' ? { pooling: settings.pooling } : {}), ...(settings.layer !== undefined ? { layer: settings.layer } : {}) });
    const { modelKey, chunkerKey } = storageKeys(info.id, info, settings);
    if (!settings.readOnly) adoptLegacyStorage(storagePath, folders, info, settings);
    const started = performance.now();
    this.vectors = new VectorStore(join(storagePath, 'vectors', modelKey), info.dimensions, settings.quantization, log, settings.readOnly);
    const vectorsOpened = performance.now();
    let tablesMs = 0;
    for (const folder of folders) {
      const t = performance.now();
      const table = FileTable.open(join(storagePath, 'workspaces', shortHash(folder), `${chunkerKey}.log`), folder, log);
      tablesMs += performance.now() - t;
      const state = { folder, rules: new FileRules(folder, { ...settings, ...settings.folderRules?.(folder) }), table };
      this.folders.push(state);
      this.byFolder.set(folder, state);
    }
    this.keywords = new KeywordStore(join(storagePath, 'workspaces', `keywords-${shortHash(JSON.stringify([chunkerKey, folders]))}.bin`), log);
    this.lexical = this.keywords.load(this);
    const ms = (x: number) => Math.round(x);
    const total = performance.now() - started;
    this.openTimings = { totalMs: ms(total), vectorsMs: ms(vectorsOpened - started), tablesMs: ms(tablesMs), keywordsMs: ms(total - (vectorsOpened - started) - tablesMs) };
    const t = this.openTimings;
    log(`Index opened in ${t.totalMs} ms: ${this.vectors.size} vectors ${t.vectorsMs} ms, file tables ${t.tablesMs} ms, keyword index ${t.keywordsMs} ms`);
  }

  /** Every indexed chunk (for duplicate detection). */
  *chunks(): Generator<IndexedChunk> {
    for (const { folder, table } of this.folders) {
      for (const [relPath, entry] of table.files) for (const chunk of entry.chunks) yield { folder, relPath, chunk };
    }
  }

  /** The chunks of these files (absolute or folder-relative paths), without a pass over the whole index. */
  *chunksOf(paths: readonly string[]): Generator<IndexedChunk> {
    for (const path of paths) {
      const located = this.locate(path);
      const entry = located && located[0].table.files.get(located[1]);
      if (entry) for (const chunk of entry.chunks) yield { folder: located[0].folder, relPath: located[1], chunk };
    }
  }

  /** Cosine of `query` (unit length) with every dense chunk, the best `limit` the filter keeps, best first. */
  async denseTop(query: Float32Array, { limit, filter }: ChunkQuery): Promise<ChunkHit[]> {
    // The index may change while the scan runs (rows move at a merge): then scan again.
    for (let attempt = 0; ; attempt++) {
      const layout = this.vectors.layout;
      const list = this.denseChunks();
      let scores: Float32Array | undefined;
      let hits: { i: number; score: number }[] | undefined;
      // Large stores: the approximate index's candidates (exactly re-scored) and the vectors it does not
      // cover yet; every other row scores -∞. Too few after the filter: the exact scan decides.
      const candidates = await this.vectors.search(query, limit);
      if (candidates) {
        scores = new Float32Array(this.vectors.rowCount).fill(-Infinity);
        candidates.rows.forEach((row, j) => (scores![row] = candidates.scores[j]));
        hits = topDense(list, scores, limit, filter);
        if (hits.length < limit && list.rows.length > hits.length) hits = undefined;
      }
      if (!hits) hits = topDense(list, await this.vectors.scores(query), limit, filter);
      // Vectors added meanwhile only append rows: the list's rows still name the vectors they named.
      if (this.vectors.layout !== layout && attempt < 3) continue;
      return hits.map(({ i, score }) => {
        const [folder, relPath] = [list.folders[i], list.relPaths[i]];
        return { folder, relPath, chunk: list.chunks[i], key: chunkKey(folder, relPath, list.indexInFile[i]), score };
      });
    }
  }

  /** BM25 over the chunks' text and symbols, the best `limit` the filter keeps, best first. */
  keywordTop(query: string, { limit, filter }: ChunkQuery): ChunkHit[] {
    const keep = (id: string) => {
      const c = this.chunkAt(id as ChunkKey);
      return !!c && (!filter || filter(c.folder, c.relPath, c.chunk));
    };
    return this.lexical.search(query, limit, keep).flatMap(({ id, score }) => {
      const c = this.chunkAt(id as ChunkKey);
      return c ? [{ ...c, key: id as ChunkKey, score }] : [];
    });
  }

  /** The words of a chunk's text the keyword index matches for `query` (by its own tokenizer), as written. */
  matchedTerms(query: string, chunk: IndexedChunk['chunk']): string[] {
    return this.lexical.matchedWords(query, [chunk.text]);
  }

  /** Bumped on every change to the keyword index (a loaded index starts at 0). */
  get keywordVersion(): number {
    return this.lexical.version;
  }

  /** True while an update runs (WorkspaceIndex): a query's dense list may then be a moment behind (see denseChunks). */
  protected get updating(): boolean {
    return false;
  }

  /**
   * The dense-search chunk list, rebuilt after the files or the vectors changed. During an update a
   * query gets the list as it was (its rows are still valid), and the rebuild runs a moment later, off
   * the query's path: a pass over every chunk for each query would make searches wait on indexing.
   */
  denseChunks(): DenseChunks {
    const key = this.denseKey();
    if (this.dense?.key === key) return this.dense.list;
    if (this.updating && this.dense && this.dense.layout === this.vectors.layout) {
      if (!this.denseRebuild) {
        this.denseRebuild = setTimeout(() => {
          this.denseRebuild = undefined;
          if (this.dense?.key !== this.denseKey()) this.buildDense();
        }, DENSE_REBUILD_DELAY_MS);
        this.denseRebuild.unref();
      }
      return this.dense.list;
    }
    return this.buildDense();
  }

  private denseKey(): string {
    return `${this.vectors.generation}/${this.folders.map((f) => f.table.version).join(',')}`;
  }

  private buildDense(): DenseChunks {
    const key = this.denseKey();
    // Sized once for the chunks there are (an upper bound), filled in place: few allocations, little to collect.
    let capacity = 0;
    for (const { table } of this.folders) for (const entry of table.files.values()) capacity += entry.chunks.length;
    const rows = new Int32Array(capacity);
    const indexInFile = new Int32Array(capacity);
    const folders = new Array<string>(capacity);
    const relPaths = new Array<string>(capacity);
    const chunks = new Array<Chunk>(capacity);
    const layout = this.vectors.layout;
    let n = 0;
    for (const { folder, table } of this.folders) {
      for (const [relPath, entry] of table.files) {
        const fileRows = this.rowsOf(entry, layout);
        for (let i = 0; i < fileRows.length; i++) {
          if (fileRows[i] < 0) continue;
          rows[n] = fileRows[i];
          indexInFile[n] = i;
          folders[n] = folder;
          relPaths[n] = relPath;
          chunks[n] = entry.chunks[i];
          n++;
        }
      }
    }
    folders.length = relPaths.length = chunks.length = n;
    const list: DenseChunks = { rows: rows.subarray(0, n), indexInFile: indexInFile.subarray(0, n), folders, relPaths, chunks };
    this.dense = { key, list, layout };
    return list;
  }

  /**
   * A file's vector row per chunk (NO_ROW: none yet, or never embedded), remembered per entry while rows
   * keep their numbers: a file whose chunks all have rows is not looked up again at the next rebuild.
   */
  private rowsOf(entry: FileEntry, layout: number): Int32Array {
    const known = this.entryRows.get(entry);
    if (known && known.layout === layout && known.complete) return known.rows;
    const rows = new Int32Array(entry.chunks.length);
    let complete = true;
    entry.chunks.forEach((chunk, i) => {
      const row = chunk.tiny || chunk.boilerplate ? NO_ROW : this.vectors.rowOf(chunk.hash);
      if (row === undefined) complete = false;
      rows[i] = row ?? NO_ROW;
    });
    this.entryRows.set(entry, { layout, rows, complete });
    return rows;
  }

  /** Whether the file changed on disk since it was indexed (a hit from it would be stale). */
  async isStale(folder: string, relPath: string): Promise<boolean> {
    const entry = this.entry(fileKey(folder, relPath));
    if (!entry) return true;
    if (this.buffers.has(fileKey(folder, relPath))) return false; // re-indexed on every (debounced) edit
    try {
      const s = await stat(join(folder, relPath));
      return s.size !== entry.size || s.mtimeMs !== entry.mtimeMs;
    } catch {
      return true;
    }
  }

  details(): IndexDetailsData {
    return {
      folders: this.folders.map(({ folder, table }) => ({ folder, files: table.files.size, chunks: table.chunkCount, skipped: [...table.skipped] })),
      vectors: this.vectors.size,
      vectorBytes: this.vectors.diskBytes(),
    };
  }

  /** KeywordSource: the tables' save ids, in folder order. */
  tableIds(): (string | null)[] {
    return this.folders.map((f) => f.table.saveId ?? null);
  }

  /** KeywordSource: every indexed file. */
  *files(): Generator<{ folder: string; relPath: string; entry: FileEntry }> {
    for (const { folder, table } of this.folders) for (const [relPath, entry] of table.files) yield { folder, relPath, entry };
  }

  protected entry(key: FileKey): FileEntry | undefined {
    const { folder, relPath } = parseFileKey(key);
    return this.byFolder.get(folder)?.table.files.get(relPath);
  }

  private chunkAt(key: ChunkKey): IndexedChunk | undefined {
    const { file, index } = splitChunkKey(key);
    const chunk = this.entry(file)?.chunks[index];
    return chunk && { ...parseFileKey(file), chunk };
  }

  /** The folder holding `path` (absolute, or relative to the first folder) and the path relative to it. */
  protected locate(path: string): [FolderState, string] | undefined {
    for (const state of this.folders) {
      const rel = isAbsolute(path) ? relative(state.folder, path) : path;
      if (!rel.startsWith('..') && !isAbsolute(rel)) return [state, rel.split(sep).join('/')];
    }
    return undefined;
  }
}

type KeySettings = Pick<IndexSettings, 'minWords' | 'quantization' | 'pooling' | 'layer'>;

function storageKeys(id: string, info: IndexEngine['info'], settings: KeySettings): { modelKey: string; chunkerKey: string } {
  return {
    modelKey: shortHash(JSON.stringify(vectorKeyParts({ model: id, precision: info.precision, pooling: settings.pooling, layer: settings.layer ?? 'last', chunker: CHUNKER_VERSION, quantization: settings.quantization }))),
    chunkerKey: shortHash(JSON.stringify([id, info.maxTokens, settings.minWords, CHUNKER_VERSION])),
  };
}

/**
 * Storage kept under an older id of the same model (`info.legacyIds`: a local folder's path, before ids were
 * content keys) is renamed to the current id's names when those do not exist yet, so no vector is lost.
 */
export function adoptLegacyStorage(storagePath: string, folders: readonly string[], info: IndexEngine['info'], settings: KeySettings): void {
  const now = storageKeys(info.id, info, settings);
  for (const id of info.legacyIds ?? []) {
    const old = storageKeys(id, info, settings);
    adopt(join(storagePath, 'vectors', old.modelKey), join(storagePath, 'vectors', now.modelKey));
    for (const f of folders) adopt(join(storagePath, 'workspaces', shortHash(f), `${old.chunkerKey}.json`), join(storagePath, 'workspaces', shortHash(f), `${now.chunkerKey}.json`));
  }
}

function adopt(from: string, to: string): void {
  if (from === to || existsSync(to) || !lstatSync(from, { throwIfNoEntry: false })) return;
  renameSync(from, to);
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
