/**
 * @file Sharded builds: shard i of n embeds the chunks whose text hash falls in its share. The share is
 * a function of the hash alone, so the shards never overlap, together cover every chunk, and agree on
 * any machine whatever files each one happens to list first.
 */
export interface Shard {
  /** 1-based, as written on the command line. */
  index: number;
  count: number;
}

export const MAX_SHARDS = 4096;

/** "2/8" → { index: 2, count: 8 }; throws with what was expected. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    throw new RangeError(`--shard must be <i>/<n> with 1 ≤ i ≤ n ≤ ${MAX_SHARDS}, e.g. 2/4; got "${text}".`);
  }
  return { index, count };
}

/** Which shard (1-based) of `count` a text hash (hex) belongs to. */
export function shardOf(hash: string, count: number): number {
  return (Number.parseInt(hash.slice(0, 8), 16) % count) + 1;
}

export function inShard(shard: Shard): (hash: string) => boolean {
  return (hash) => shardOf(hash, shard.count) === shard.index;
}
