/**
 * @file Groups texts into batches by token length, cut by a token budget, so padding stays small:
 * sorting puts similar lengths together and no batch pads to a global maximum.
 */

export interface Batch {
  /** Indices into the original list, in batch row order. */
  indices: number[];
  /** Padded length of this batch (its longest member). */
  tokens: number;
}

/** Splits items (by their token counts) into batches whose rows × padded length stays within `budget`. */
export function planBatches(lengths: readonly number[], budget: number, maxRows = 256): Batch[] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const batches: Batch[] = [];
  let current: number[] = [];
  let longest = 0;
  for (const i of order) {
    const padded = Math.max(longest, lengths[i]);
    if (current.length && ((current.length + 1) * padded > budget || current.length >= maxRows)) {
      batches.push({ indices: current, tokens: longest });
      current = [];
    }
    current.push(i);
    longest = current.length === 1 ? lengths[i] : Math.max(longest, lengths[i]);
  }
  if (current.length) batches.push({ indices: current, tokens: longest });
  return batches;
}
