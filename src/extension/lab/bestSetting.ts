/**
 * @file Which pooling × layer the evaluation found best, the settings that select it (`t5Semantic.pooling`
 * and `t5Semantic.layer`; every row is measured as the index would embed with it), and the validation of
 * what the lab page posts back. Pure (no `vscode` import).
 */
import type { LabEvaluateResult, LabLayerRow, LabMethodRow, Pooling } from '../../shared/protocol';

export const POOLINGS: readonly Pooling[] = Object.freeze(['mean', 'cls', 'max'] as const);

export const isLayerRow = (r: LabLayerRow | LabMethodRow): r is LabLayerRow => 'pooling' in r;
export const isMethodRow = (r: LabLayerRow | LabMethodRow): r is LabMethodRow => 'method' in r;

/** Higher MRR wins; then recall@10, recall@1, then the later layer (what the engine embeds with). */
function better(a: LabLayerRow, b: LabLayerRow): boolean {
  if (a.mrr !== b.mrr) return a.mrr > b.mrr;
  if (a.recallAt10 !== b.recallAt10) return a.recallAt10 > b.recallAt10;
  if (a.recallAt1 !== b.recallAt1) return a.recallAt1 > b.recallAt1;
  return a.layer > b.layer;
}

export interface BestSetting {
  /** The best row over every layer. */
  best: LabLayerRow;
  finalLayer: number;
  /** The settings that select it: the final layer is `t5Semantic.layer` left empty (null). */
  settings: { pooling: Pooling; layer: number | null };
}

export function bestSetting(result: Pick<LabEvaluateResult, 'results' | 'numLayers'>): BestSetting | undefined {
  const rows = result.results.filter(isLayerRow);
  if (!rows.length) return undefined;
  const finalLayer = Math.max(result.numLayers, ...rows.map((r) => r.layer));
  const best = rows.reduce((b, r) => (better(r, b) ? r : b));
  return { best, finalLayer, settings: { pooling: best.pooling, layer: best.layer === finalLayer ? null : best.layer } };
}

/** "t5Semantic.pooling = cls, t5Semantic.layer = 1" (the layer left empty reads as "(empty: the output)"). */
export function describeSettings(s: BestSetting['settings']): string {
  return `t5Semantic.pooling = ${s.pooling}, t5Semantic.layer = ${s.layer === null ? '(empty: the output)' : s.layer}`;
}

/** The hybrid weight chosen on the validation pairs (the `fused` row), which Apply stores for the workspace. */
export function bestHybridWeight(result: Pick<LabEvaluateResult, 'results'>): number | undefined {
  const w = result.results.filter(isMethodRow).find((r) => r.method === 'fused')?.weight;
  return typeof w === 'number' && w >= 0 && w <= 1 ? w : undefined;
}

/** Messages the lab page posts. */
export type FromLabPage = { type: 'apply'; pooling: Pooling; layer: number } | { type: 'useModel'; folder: string };

/** The message, or a sentence saying what was wrong with it (a page never posts anything else). */
export function parseLabMessage(raw: unknown): FromLabPage | string {
  if (typeof raw !== 'object' || raw === null) return `expected an object message; got ${typeof raw}`;
  const m = raw as Record<string, unknown>;
  if (m.type === 'apply') {
    if (typeof m.pooling !== 'string' || !(POOLINGS as readonly string[]).includes(m.pooling)) return `apply: pooling must be one of ${POOLINGS.join(', ')}; got ${JSON.stringify(m.pooling)}`;
    if (typeof m.layer !== 'number' || !Number.isInteger(m.layer) || m.layer < 0) return `apply: layer must be a non-negative integer; got ${JSON.stringify(m.layer)}`;
    return { type: 'apply', pooling: m.pooling as Pooling, layer: m.layer };
  }
  if (m.type === 'useModel') {
    if (typeof m.folder !== 'string' || !m.folder) return `useModel: folder must be a non-empty string; got ${JSON.stringify(m.folder)}`;
    return { type: 'useModel', folder: m.folder };
  }
  return `unknown message type ${JSON.stringify(m.type)?.slice(0, 60)}`;
}
