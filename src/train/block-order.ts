import { Random } from '../tensor/random.js';

/**
 * The row order of training on data read in blocks (data larger than memory): each epoch visits
 * the blocks in a seeded random order, takes them a group at a time (as many blocks as the memory
 * budget holds), and shuffles the rows within each group. Every order is derived from the seed,
 * the epoch and the group alone, so a run stopped between groups goes on from its position
 * (epoch, group) with nothing else saved but the rows carried over.
 *
 * How it differs from the in-memory order, which shuffles all training rows each epoch: a batch
 * only mixes rows of the blocks loaded together (the rows of a group past its last whole batch
 * are trained first in the next group, so that only the epoch's last batch is smaller, as in
 * memory). With one group holding every block, it is a full shuffle.
 */

/** A generator for one (seed, epoch, group): group -1 is the epoch's block order. */
function generator(seed: number, epoch: number, group: number): Random {
  const mixed = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b) ^ Math.imul(group + 2, 0xc2b2ae35)) >>> 0;
  return new Random(mixed);
}

/** The blocks of an epoch in their visiting order, cut into groups of `perGroup` blocks. */
export function epochGroups(blocks: number, perGroup: number, seed: number, epoch: number): Int32Array[] {
  const order = generator(seed, epoch, -1).shuffle(Int32Array.from({ length: blocks }, (_, i) => i));
  const groups: Int32Array[] = [];
  for (let a = 0; a < blocks; a += perGroup) groups.push(order.slice(a, Math.min(a + perGroup, blocks)));
  return groups;
}

/** The order in which a group's `rows` rows are trained on: a seeded permutation of 0 … rows − 1. */
export function groupRowOrder(rows: number, seed: number, epoch: number, group: number): Int32Array {
  return generator(seed, epoch, group).shuffle(Int32Array.from({ length: rows }, (_, i) => i));
}
