/** Sharding a run (`--shard`), apart from discovery: the CLI reads the flag before the rest of chartguard has loaded (cli/prestart.ts). */
import { InputError } from "../errors.ts";

/** `--shard i/n`: the i-th (1-based) of n deterministic parts of the discovered sources. */
export interface Shard {
  index: number;
  count: number;
}

/**
 * The `index`-th of `count` parts of `sources`: sorted by path (byte order, the same on
 * every machine), then dealt round-robin, so every source lands in exactly one shard and
 * shard sizes differ by at most one.
 */
export function shardSources<T extends { path: string }>(sources: readonly T[], shard: Shard): T[] {
  if (!Number.isInteger(shard.count) || shard.count < 1 || !Number.isInteger(shard.index) || shard.index < 1 || shard.index > shard.count) {
    throw new InputError(`--shard ${shard.index}/${shard.count}: must be i/n with 1 <= i <= n`);
  }
  const sorted = [...sources].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return sorted.filter((_, i) => i % shard.count === shard.index - 1);
}

/** `i/n` as `--shard` takes it; undefined when malformed. */
export function parseShard(text: string): Shard | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const shard = { index: Number(match[1]), count: Number(match[2]) };
  return shard.count >= 1 && shard.index >= 1 && shard.index <= shard.count ? shard : undefined;
}
