/**
 * A split decided row by row from the seed and the row's index alone, for data read in blocks
 * (never all rows in memory): row i is a test row when a hash of (seed, i) falls below the test
 * fraction. Nothing is stored per row, and any block can tell its test rows on its own. Unlike
 * splitRows it is not stratified, and the test part holds about (not exactly) that fraction.
 */

/** A uniform number in [0, 1) from the seed and the row index (a splitmix32-style mix). */
export function rowHash(seed: number, row: number): number {
  let z = (Math.imul(row ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(seed | 0, 0x85ebca6b) + Math.floor(row / 4294967296)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x27d4eb2f) >>> 0;
  return ((z ^ (z >>> 15)) >>> 0) / 4294967296;
}

/** Whether row `row` belongs to the test part of a hashed split with this seed and test fraction. */
export function isTestRow(seed: number, row: number, testFraction: number): boolean {
  return testFraction > 0 && rowHash(seed, row) < testFraction;
}
