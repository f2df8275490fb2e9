/**
 * @file The duplicate detector over the workspace index. Copies of one normal form (see normalize.ts) are
 * an exact group by construction; forms are linked as near copies (MinHash/LSH, exact Jaccard) or
 * paraphrases (cosine of the index's vectors); linked forms are grouped by leader (grouping.ts).
 *
 * All comparisons are between distinct forms, so a paragraph mirrored in five packages costs one row.
 * State is kept between runs: `refresh()` finds the files whose chunks changed since the last run and
 * `recheckFiles()` compares only their new forms against the rest; grouping is then redone (it is cheap).
 */
import { join } from 'node:path';
import type { ParaphraseCalibration } from '../../shared/protocol';
import type { Chunk } from '../indexing/chunker';
import { workspaceOrder, type IndexedChunk } from '../indexing/chunkKey';
import { calibrateParaphrases, DEFAULT_CALIBRATION } from './calibration';
import { nearestNeighbours, QuantizedVectors, TopK } from './cosine';
import { groupForms, type GroupingForm, type Link } from './grouping';
import { DEFAULT_MINHASH, LshIndex, shingles, signature, sortedJaccard } from './minhash';
import { fingerprintOfWords, hasIgnoreMarker, normalWords } from './normalize';

export type Grade = 'exact' | 'near' | 'paraphrase';

export interface DuplicateOptions {
  /** Texts with fewer (normal) words are left out. */
  minWords: number;
  /** Jaccard of word 3-shingles for a near copy. */
  nearThreshold: number;
  /** The lowest cosine for a paraphrase; the calibration (calibration.ts) may ask for more. */
  paraphraseThreshold: number;
  /** The model was made by the project's generator: no paraphrases (see calibration.ts). */
  generatedModel: boolean;
  /** Calibrate the paraphrase threshold against chance similarity; false: the floor alone. */
  calibrate: boolean;
  /** Text found in more files than this is boilerplate and left out. */
  maxFiles: number;
  /** Near-copy and paraphrase neighbours kept per text (its best ones). */
  neighbours: number;
}

/**
 * The full paraphrase scan is n²·d/2 multiply-adds, as onnxruntime int8 MatMul tiles (cosine.ts): measured
 * ~41 s of a 48 s full scan for 100k distinct 512-d texts on one core of a busy 2-core machine (npm run
 * bench). Above this many distinct texts it is skipped (exact and near copies are still found, and changed
 * files are still checked against every text, n·d), so an enormous workspace's first scan stays bounded.
 */
export const MAX_FULL_PARAPHRASE_FORMS = 150_000;

export const DEFAULT_DUPLICATE_OPTIONS: Readonly<DuplicateOptions> = Object.freeze({
  minWords: 8,
  nearThreshold: 0.7,
  paraphraseThreshold: 0.92,
  generatedModel: false,
  calibrate: true,
  maxFiles: 5,
  neighbours: 16,
});

/** What the detector reads: the workspace index (WorkspaceIndex satisfies it). */
export interface ChunkSource {
  chunks(): Iterable<IndexedChunk>;
  /** The chunks of these files only (absolute paths), when the source can find them without a full pass. */
  chunksOf?(paths: readonly string[]): Iterable<IndexedChunk>;
  readonly vectors: { readonly dims: number; get(hash: string): Float32Array | undefined };
}

/** One copy of a text at its place in the workspace. */
export interface Copy {
  folder: string;
  relPath: string;
  chunk: Chunk;
  fingerprint: string;
  /** Carries the inline ignore marker. */
  marked: boolean;
  /** Sort key: folder, path, line, character. */
  order: string;
}

export interface GroupMember extends Copy {
  grade: Grade;
  /** 1 for exact copies, Jaccard for near copies, cosine for paraphrases. */
  similarity: number;
  leader: boolean;
  /** The other member this grade and similarity refer to. */
  partner: Copy;
}

export interface DuplicateGroup {
  /** The leader's fingerprint: stable while the leader's text is unchanged. */
  id: string;
  /** The grade of the group's weakest link (a member to the leader). */
  grade: Grade;
  /** The similarity of that weakest link. */
  similarity: number;
  /** The leader first, then the others in file order. */
  members: GroupMember[];
}

export interface DetectionStats {
  mode: 'full' | 'incremental';
  /** Files whose chunks were re-checked (all files for a full scan). */
  files: number;
  copies: number;
  forms: number;
  /** Distinct texts compared against the rest in this run. */
  checkedForms: number;
  jaccardChecks: number;
  dotProducts: number;
  /** jaccardChecks + dotProducts: the work done. */
  comparisons: number;
  millis: number;
}

interface Form {
  fingerprint: string;
  /** Sorted shingle hashes: a tenth of a Set's memory (100k texts), and Jaccard is one merge. */
  shingles: Uint32Array;
  /** Chunk hash whose vector stands for the form (copies of one form have near-identical vectors). */
  vectorHash: string;
  copies: Copy[];
}

const GRADE_RANK: Readonly<Record<Grade, number>> = Object.freeze({ exact: 0, near: 1, paraphrase: 2 });

export class DuplicateDetector {
  readonly options: DuplicateOptions;
  private readonly forms = new Map<string, Form>();
  private readonly links = new Map<string, Map<string, Link<string>>>();
  private readonly lsh = new LshIndex<string>(DEFAULT_MINHASH);
  /** Every form's quantized vector, kept between runs: a re-check is one pass over it, no reloading. */
  private readonly vectorCache: QuantizedVectors<string>;
  /** Per file: a signature of its chunks (text and place) as last seen, and its copies. */
  private readonly files = new Map<string, { signature: string; copies: Copy[] }>();
  private scanned = false;
  private readMillis = 0;
  private linkTimings: Record<string, number> = {};
  private result: DuplicateGroup[] = [];
  /** Set by each full scan (and the first run); incremental runs keep it, so thresholds do not shift per edit. */
  calibration?: ParaphraseCalibration;
  /** Milliseconds per stage of the last run (for the benchmark): read, forms, near, paraphrase, group. */
  timings: Record<string, number> = {};
  stats: DetectionStats = { mode: 'full', files: 0, copies: 0, forms: 0, checkedForms: 0, jaccardChecks: 0, dotProducts: 0, comparisons: 0, millis: 0 };

  constructor(
    private readonly source: ChunkSource,
    options: Partial<DuplicateOptions> = {},
  ) {
    this.options = { ...DEFAULT_DUPLICATE_OPTIONS, ...options };
    this.vectorCache = new QuantizedVectors<string>(source.vectors.dims);
  }

  get groups(): readonly DuplicateGroup[] {
    return this.result;
  }

  /** Brings the groups up to date with the index: a full scan the first time, then only changed files. */
  async refresh(signal?: AbortSignal): Promise<readonly DuplicateGroup[]> {
    const t = performance.now();
    const current = this.readFiles();
    this.readMillis = performance.now() - t;
    if (!this.scanned) return this.run('full', current, [...current.keys()], signal);
    const changed = [...new Set([...current.keys(), ...this.files.keys()])].filter((f) => current.get(f)?.signature !== this.files.get(f)?.signature);
    return this.run('incremental', current, changed, signal);
  }

  /** Re-checks these files (absolute paths) against the index; the rest is taken as unchanged. */
  async recheckFiles(paths: readonly string[], signal?: AbortSignal): Promise<readonly DuplicateGroup[]> {
    if (!this.scanned) return this.refresh(signal);
    const t = performance.now();
    const current = this.readFiles(new Set(paths));
    this.readMillis = performance.now() - t;
    return this.run('incremental', current, paths, signal);
  }

  private async run(mode: DetectionStats['mode'], current: Map<string, { signature: string; copies: Copy[] }>, changed: readonly string[], signal?: AbortSignal) {
    const started = performance.now();
    const fresh: string[] = [];
    for (const file of changed) {
      const before = this.files.get(file)?.copies ?? [];
      const now = current.get(file);
      // New copies first: a text that is still there keeps its form, its links and its vector.
      for (const copy of now?.copies ?? []) if (this.addCopy(copy)) fresh.push(copy.fingerprint);
      for (const copy of before) this.removeCopy(copy);
      if (now) this.files.set(file, now);
      else this.files.delete(file);
    }
    const formsDone = performance.now();
    const { jaccardChecks, dotProducts } = await this.link(fresh, mode === 'full', signal);
    const linked = performance.now();
    this.scanned = true;
    this.result = this.group();
    const ms = (x: number) => Math.round(x * 10) / 10;
    this.timings = { read: ms(this.readMillis), forms: ms(formsDone - started), ...this.linkTimings, group: ms(performance.now() - linked) };
    this.stats = {
      mode,
      files: changed.length,
      copies: [...this.forms.values()].reduce((n, f) => n + f.copies.length, 0),
      forms: this.forms.size,
      checkedForms: fresh.length,
      jaccardChecks,
      dotProducts,
      comparisons: jaccardChecks + dotProducts,
      millis: Math.round(performance.now() - started),
    };
    return this.result;
  }

  /** The index's eligible chunks by file (only `only`'s files when given). */
  private readFiles(only?: ReadonlySet<string>): Map<string, { signature: string; copies: Copy[] }> {
    const byFile = new Map<string, { parts: string[]; copies: Copy[] }>();
    // Chunks come file by file: the path is joined once per file, not per chunk (100k chunks, one changed file).
    let lastFolder = '';
    let lastRel = '';
    let file = '';
    const chunks = only && this.source.chunksOf ? this.source.chunksOf([...only]) : this.source.chunks();
    for (const { folder, relPath, chunk } of chunks) {
      if (relPath !== lastRel || folder !== lastFolder) [lastFolder, lastRel, file] = [folder, relPath, join(folder, relPath)];
      if (only && !only.has(file)) continue;
      let entry = byFile.get(file);
      if (!entry) byFile.set(file, (entry = { parts: [], copies: [] }));
      const r = chunk.range;
      entry.parts.push(`${chunk.hash}@${r.startLine}:${r.startCharacter}-${r.endLine}:${r.endCharacter}`);
      if (chunk.boilerplate) continue;
      const words = normalWords(chunk.text);
      if (words.length < this.options.minWords) continue;
      entry.copies.push({
        folder,
        relPath,
        chunk,
        fingerprint: fingerprintOfWords(words),
        marked: hasIgnoreMarker(chunk.text),
        order: workspaceOrder(folder, relPath, r.startLine, r.startCharacter),
      });
    }
    return new Map([...byFile].map(([file, e]) => [file, { signature: e.parts.join('|'), copies: e.copies }]));
  }

  /** Adds a copy; true when its text is new (a form to compare). */
  private addCopy(copy: Copy): boolean {
    const form = this.forms.get(copy.fingerprint);
    if (form) {
      form.copies.push(copy);
      form.copies.sort((a, b) => cmp(a.order, b.order));
      return false;
    }
    const set = shingles(normalWords(copy.chunk.text));
    this.forms.set(copy.fingerprint, { fingerprint: copy.fingerprint, shingles: Uint32Array.from(set).sort(), vectorHash: copy.chunk.hash, copies: [copy] });
    this.lsh.add(copy.fingerprint, signature(set));
    return true;
  }

  private removeCopy(copy: Copy): void {
    const form = this.forms.get(copy.fingerprint);
    if (!form) return;
    form.copies = form.copies.filter((c) => c !== copy);
    if (form.copies.length) {
      if (form.vectorHash !== form.copies[0].chunk.hash) this.vectorCache.delete(copy.fingerprint); // reloaded from the new copy
      form.vectorHash = form.copies[0].chunk.hash;
      return;
    }
    this.forms.delete(copy.fingerprint);
    this.lsh.remove(copy.fingerprint);
    this.vectorCache.delete(copy.fingerprint);
    for (const other of this.links.get(copy.fingerprint)?.keys() ?? []) this.links.get(other)?.delete(copy.fingerprint);
    this.links.delete(copy.fingerprint);
  }

  /** Links the new forms to every form: near copies through LSH candidates, paraphrases by cosine. */
  private async link(fresh: readonly string[], full: boolean, signal?: AbortSignal): Promise<{ jaccardChecks: number; dotProducts: number }> {
    let jaccardChecks = 0;
    const started = performance.now();
    const freshSet = new Set(fresh);
    // Each text keeps its best k near links (as paraphrases do): templated text (generated docs, changelogs)
    // can make every text a near copy of hundreds of others, millions of links that grouping never needs.
    const near = new TopK<string>(this.options.neighbours);
    for (let i = 0; i < fresh.length; i++) {
      const a = fresh[i];
      if (i % 256 === 255) {
        // Thousands of Jaccard checks per step on templated text: let requests in, and stop when asked.
        signal?.throwIfAborted();
        await new Promise((resolve) => setImmediate(resolve));
      }
      for (const b of this.lsh.candidates(a)) {
        // A pair of two new forms is checked once.
        if (freshSet.has(b) && b < a) continue;
        jaccardChecks++;
        const similarity = sortedJaccard(this.forms.get(a)!.shingles, this.forms.get(b)!.shingles);
        if (similarity < this.options.nearThreshold) continue;
        near.offer(a, b, similarity);
        near.offer(b, a, similarity);
      }
    }
    for (const list of near.lists.values()) for (const p of list) this.addLink({ a: p.a, b: p.b, grade: 'near', similarity: p.similarity });
    const nearDone = performance.now();
    this.linkTimings = { near: Math.round((nearDone - started) * 10) / 10, paraphrase: 0 };
    const load = (fp: string) => this.source.vectors.get(this.forms.get(fp)!.vectorHash);
    if (full || !this.calibration) this.calibration = this.calibrateNow(load);
    const threshold = this.calibration.threshold;
    if (threshold === null || !fresh.length || (full && fresh.length > MAX_FULL_PARAPHRASE_FORMS)) return { jaccardChecks, dotProducts: 0 };
    const all = full ? fresh : [...this.forms.keys()];
    const { pairs, comparisons } = await nearestNeighbours(fresh, full ? fresh : all, load, this.source.vectors.dims, {
      threshold,
      k: this.options.neighbours,
      signal,
      cache: this.vectorCache,
    });
    // Incremental: a new form's best k are kept; an old form may then hold a few more than k (no eviction).
    for (const p of pairs) this.addLink({ a: p.a, b: p.b, grade: 'paraphrase', similarity: p.similarity });
    this.linkTimings.paraphrase = Math.round((performance.now() - nearDone) * 10) / 10;
    return { jaccardChecks, dotProducts: comparisons };
  }

  private calibrateNow(load: (fp: string) => Float32Array | undefined): ParaphraseCalibration {
    const keys = [...this.forms.keys()].sort();
    const related = (a: string, b: string) => sortedJaccard(this.forms.get(a)!.shingles, this.forms.get(b)!.shingles) >= this.options.nearThreshold;
    const minTexts = this.options.calibrate ? DEFAULT_CALIBRATION.minTexts : Infinity;
    return calibrateParaphrases({ keys, load, related }, { ...DEFAULT_CALIBRATION, minTexts, floor: this.options.paraphraseThreshold, generatedModel: this.options.generatedModel });
  }

  /** A near link beats a paraphrase link between the same two forms. */
  private addLink(link: Link<string>): void {
    const existing = this.linkOf(link.a, link.b);
    if (existing && (existing.grade === 'near' || link.grade === 'paraphrase')) return;
    for (const [x, y] of [[link.a, link.b], [link.b, link.a]]) {
      let m = this.links.get(x);
      if (!m) this.links.set(x, (m = new Map()));
      m.set(y, link);
    }
  }

  private linkOf(a: string, b: string): Link<string> | undefined {
    return this.links.get(a)?.get(b);
  }

  private group(): DuplicateGroup[] {
    const eligible = new Map<string, GroupingForm<string>>();
    for (const form of this.forms.values()) {
      // A lone text with no link is in no group: skipped before any work (100k texts, a few hundred linked).
      if (form.copies.length < 2 && !this.links.get(form.fingerprint)?.size) continue;
      if (form.copies.length > this.options.maxFiles && new Set(form.copies.map((c) => join(c.folder, c.relPath))).size > this.options.maxFiles) continue; // boilerplate
      eligible.set(form.fingerprint, { key: form.fingerprint, copies: form.copies.length, order: form.copies[0].order });
    }
    const links: Link<string>[] = [];
    for (const [a, m] of this.links) for (const [b, l] of m) if (a < b) links.push(l);
    const groups = groupForms(eligible, links, (a, b) => this.linkOf(a, b));
    return groups
      .map((g) => this.describe(g.leader, g.forms))
      .sort((x, y) => cmp(minOrder(x), minOrder(y)));
  }

  /**
   * One rule for grades: a member is graded against the group's leader (the link grouping used), copies of
   * the leader's own text are exact copies of it, and the leader itself carries its strongest tie. The
   * group's title is its weakest link; one member, the leader's first copy, is the leader.
   */
  private describe(leaderKey: string, keys: readonly string[]): DuplicateGroup {
    const leaderForm = this.forms.get(leaderKey)!;
    const leaderCopy = leaderForm.copies[0];
    const members: GroupMember[] = [];
    for (const key of keys) {
      const form = this.forms.get(key)!;
      for (const copy of form.copies) {
        let grade: Grade;
        let similarity: number;
        let partner: Copy;
        if (key !== leaderKey) {
          const link = this.linkOf(key, leaderKey)!;
          [grade, similarity, partner] = [link.grade, link.similarity, leaderCopy];
        } else if (copy !== leaderCopy) {
          [grade, similarity, partner] = ['exact', 1, leaderCopy];
        } else if (form.copies.length >= 2) {
          [grade, similarity, partner] = ['exact', 1, form.copies[1]];
        } else {
          const best = keys
            .slice(1)
            .map((k) => this.linkOf(key, k)!)
            .sort((x, y) => GRADE_RANK[x.grade] - GRADE_RANK[y.grade] || y.similarity - x.similarity)[0];
          const other = best.a === key ? best.b : best.a;
          [grade, similarity, partner] = [best.grade, best.similarity, this.forms.get(other)!.copies[0]];
        }
        members.push({ ...copy, grade, similarity, leader: copy === leaderCopy, partner });
      }
    }
    const links = members.length > 1 ? members.filter((m) => !m.leader) : members;
    const weakest = links.reduce((w, m) => (GRADE_RANK[m.grade] > GRADE_RANK[w.grade] || (m.grade === w.grade && m.similarity < w.similarity) ? m : w), links[0]);
    return { id: leaderKey, grade: weakest.grade, similarity: weakest.similarity, members };
  }
}

function minOrder(g: DuplicateGroup): string {
  return g.members.reduce((o, m) => (m.order < o ? m.order : o), g.members[0].order);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
