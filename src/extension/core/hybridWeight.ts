/**
 * @file The hybrid search weight the embedding lab chose for this workspace, kept in the extension's
 * workspace storage (workspaceState), never in the repository, and sent with every search from VS Code.
 * Pure over a Memento-shaped store (no `vscode` import), so it is unit-tested without VS Code.
 */

export const HYBRID_WEIGHT_KEY = 't5Semantic.lab.hybridWeight';

export interface WeightStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

/** The stored weight, or undefined (the sidecar's default) when none is stored or the stored value is not one. */
export function storedHybridWeight(store: WeightStore): number | undefined {
  const w = store.get<unknown>(HYBRID_WEIGHT_KEY);
  return typeof w === 'number' && w >= 0 && w <= 1 ? w : undefined;
}

export async function storeHybridWeight(store: WeightStore, weight: number): Promise<void> {
  if (!(typeof weight === 'number' && weight >= 0 && weight <= 1)) throw new RangeError(`The hybrid weight must be a number from 0 to 1; got ${JSON.stringify(weight)}.`);
  await store.update(HYBRID_WEIGHT_KEY, weight);
}
