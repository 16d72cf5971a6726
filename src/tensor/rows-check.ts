import { BackpropError } from '../errors.js';

/**
 * The messages for data given in a shape the library does not take: not an array of rows, a
 * flat array of numbers, a row of BigInts or of text. Each names the argument, the row, what was
 * given and what to give instead.
 */

/** What a value is, in a message. */
function kind(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name} of ${(x as unknown as ArrayLike<unknown>).length}`;
  if (Array.isArray(x)) return `an array of ${x.length}`;
  if (typeof x === 'object') return 'an object';
  return `${typeof x === 'string' ? 'a string' : `${typeof x} ${String(x)}`}`;
}

const isBig = (x: unknown) => x instanceof BigInt64Array || x instanceof BigUint64Array || typeof x === 'bigint';

/** Refuses `rows` unless it is an array (or array-like) of rows; a flat array of numbers is named as such. */
export function checkRowsArgument(rows: unknown, name: string): void {
  if (rows === null || typeof rows !== 'object' || typeof (rows as { length?: unknown }).length !== 'number') {
    throw new BackpropError('shape', `${name} must be a Matrix or an array of rows (arrays of numbers), got ${kind(rows)}`);
  }
  const first = (rows as ArrayLike<unknown>)[0];
  if (typeof first === 'number' || typeof first === 'bigint' || isBig(rows)) {
    throw new BackpropError(
      'shape',
      `${name} is ${kind(rows)} numbers in one flat list: give one array per row, such as [[0, 1], [1, 0]], or a Matrix (new Matrix(rows, cols, data))`,
    );
  }
}

/** The error for row `i` (0-based) of `name` that is not a row of `cols` numbers. */
export function badRow(r: unknown, i: number, name: string, cols: number): BackpropError {
  if (isBig(r) || (Array.isArray(r) && r.some(isBig))) {
    return new BackpropError('shape', `row ${i + 1} of ${name} holds BigInts (${kind(r)}): give numbers, such as Float64Array.from(row, Number)`);
  }
  if (r === null || typeof r !== 'object') return new BackpropError('shape', `row ${i + 1} of ${name} is ${kind(r)}, expected an array of ${cols} numbers`);
  const n = (r as { length?: unknown }).length;
  return new BackpropError('shape', `row ${i + 1} of ${name} has ${typeof n === 'number' ? n : 0} values, expected ${cols}`);
}

/** Whether row `r` can be read as `cols` numbers. */
export function isRow(r: unknown, cols: number): r is ArrayLike<number> {
  return r !== null && typeof r === 'object' && (r as ArrayLike<unknown>).length === cols && !isBig(r) && !(Array.isArray(r) && typeof r[0] === 'bigint');
}
