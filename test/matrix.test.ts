import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addRow, BackpropError, colSums, Matrix, matmul, Random } from '../src/index.js';

const mat = (r: number, c: number) => fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: r * c, maxLength: r * c }).map((d) => new Matrix(r, c, Float64Array.from(d)));

function naive(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, p) => s + v * b[p][j], 0)));
}
const T = (m: number[][]) => m[0].map((_, j) => m.map((r) => r[j]));

test('matmul with every transpose flag, alpha and beta equals the textbook product', () => {
  const dims = fc.record({ m: fc.integer({ min: 1, max: 6 }), k: fc.integer({ min: 1, max: 6 }), n: fc.integer({ min: 1, max: 6 }), ta: fc.boolean(), tb: fc.boolean() });
  fc.assert(
    fc.property(
      dims.chain((d) => fc.tuple(fc.constant(d), mat(d.ta ? d.k : d.m, d.ta ? d.m : d.k), mat(d.tb ? d.n : d.k, d.tb ? d.k : d.n), mat(d.m, d.n), fc.double({ min: -2, max: 2, noNaN: true }), fc.constantFrom(0, 1, 0.5))),
      ([d, a, b, c0, alpha, beta]) => {
        const A = d.ta ? T(a.toArray()) : a.toArray();
        const B = d.tb ? T(b.toArray()) : b.toArray();
        const expected = naive(A, B).map((row, i) => row.map((v, j) => alpha * v + beta * c0.get(i, j)));
        const c = c0.clone();
        matmul(a, b, c, d.ta, d.tb, alpha, beta);
        c.toArray().forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - expected[i][j]) < 1e-9)));
      },
    ),
  );
});

test('matmul names both sizes when they do not fit', () => {
  assert.throws(() => matmul(new Matrix(2, 3), new Matrix(2, 3), new Matrix(2, 3)), (e: unknown) => e instanceof BackpropError && /cannot multiply 2×3 by 2×3/.test(e.message));
});

test('addRow and colSums', () => {
  const m = Matrix.from([[1, 2], [3, 4]]);
  addRow(m, Float64Array.from([10, 20]));
  assert.deepEqual(m.toArray(), [[11, 22], [13, 24]]);
  assert.deepEqual(Array.from(colSums(m, new Float64Array(2), 0.5)), [12, 23]);
});

test('Random: same seed, same sequence; state can be saved and restored', () => {
  const a = new Random(42);
  const b = new Random(42);
  const xs = Array.from({ length: 100 }, () => a.next());
  assert.deepEqual(xs, Array.from({ length: 100 }, () => b.next()));
  assert.notDeepEqual(xs, Array.from({ length: 100 }, () => new Random(43).next()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const state = a.getState();
  const next = a.next();
  const c = new Random(1);
  c.setState(state);
  assert.equal(c.next(), next);
  const mean = Array.from({ length: 20000 }, () => a.next()).reduce((s, v) => s + v) / 20000;
  assert.ok(Math.abs(mean - 0.5) < 0.01);
});
