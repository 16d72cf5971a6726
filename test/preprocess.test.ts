// Scaling fitted on training rows only, and the seeded, stratified train/test split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyScaler, BackpropError, fitScaler, invertScaler, Matrix, Random, splitRows, takeRows } from '../src/index.js';

const close = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} ≉ ${b}`);

function columnStats(m: Matrix, j: number) {
  const col = Array.from({ length: m.rows }, (_, i) => m.get(i, j));
  const mean = col.reduce((s, v) => s + v, 0) / col.length;
  const std = Math.sqrt(col.reduce((s, v) => s + (v - mean) ** 2, 0) / col.length);
  return { mean, std, min: Math.min(...col), max: Math.max(...col) };
}

test('standardising gives each column mean 0 and standard deviation 1; a constant column becomes 0', () => {
  const x = Matrix.from([
    [1, 10, 5],
    [2, 20, 5],
    [3, 60, 5],
    [6, 30, 5],
  ]);
  const s = fitScaler(x);
  assert.equal(s.kind, 'standard');
  const y = applyScaler(s, x);
  for (const j of [0, 1]) {
    const st = columnStats(y, j);
    close(st.mean, 0);
    close(st.std, 1);
  }
  assert.deepEqual([0, 1, 2, 3].map((i) => y.get(i, 2)), [0, 0, 0, 0]);
  assert.equal(s.scale[2], 1);
  // Undoing the scaling gives the data back.
  const back = invertScaler(s, y);
  back.data.forEach((v, i) => close(v, x.data[i]));
});

test('min-max scaling maps the training range onto [0, 1] and leaves test data outside it', () => {
  const train = Matrix.from([[2], [4], [10]]);
  const s = fitScaler(train, 'minmax');
  assert.deepEqual(Array.from(applyScaler(s, train).data), [0, 0.25, 1]);
  // Fitted on the training rows only: new values are placed on the same scale, not refitted.
  assert.deepEqual(Array.from(applyScaler(s, Matrix.from([[18], [0]])).data), [2, -0.25]);
  assert.deepEqual(Array.from(applyScaler(fitScaler(train, 'none'), train).data), [2, 4, 10]);
});

test('a scaling is plain JSON and refuses data of another width', () => {
  const s = fitScaler(Matrix.from([[1, 2], [3, 5]]));
  assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
  assert.throws(() => applyScaler(s, Matrix.from([[1, 2, 3]])), BackpropError);
  assert.throws(() => fitScaler(Matrix.from([[1]]), 'zscore' as never), /unknown scaling 'zscore'/);
});

test('a split puts every row on exactly one side, in ascending order, the same for the same seed', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 300 }), fc.double({ min: 0.01, max: 0.9, noNaN: true }), fc.integer(), (n, f, seed) => {
      const s = splitRows(n, f, new Random(seed));
      const all = [...s.train, ...s.test].sort((a, b) => a - b);
      assert.deepEqual(all, Array.from({ length: n }, (_, i) => i));
      assert.equal(s.test.length, Math.min(Math.max(Math.round(n * f), 1), n - 1));
      assert.deepEqual(Array.from(s.test), Array.from(s.test).sort((a, b) => a - b));
      assert.deepEqual(splitRows(n, f, new Random(seed)), s);
    }),
    { numRuns: 100 },
  );
});

test('different seeds give different splits', () => {
  const a = splitRows(150, 0.2, new Random(1));
  const b = splitRows(150, 0.2, new Random(2));
  assert.notDeepEqual(Array.from(a.test), Array.from(b.test));
});

test('a stratified split gives each class its share of the test rows and keeps one of each for training', () => {
  // 50/30/20 rows of three classes, shuffled order.
  const labels = new Random(7).shuffle(Int32Array.from([...Array(50).fill(0), ...Array(30).fill(1), ...Array(20).fill(2)]));
  const s = splitRows(100, 0.2, new Random(3), labels);
  const count = (idx: Int32Array, k: number) => Array.from(idx).filter((i) => labels[i] === k).length;
  assert.deepEqual([0, 1, 2].map((k) => count(s.test, k)), [10, 6, 4]);
  // Shares that do not divide evenly are rounded by largest remainder: 3 of 7, 7 of 13 → 3 test rows of 20 at 0.15.
  const l2 = Int32Array.from([...Array(7).fill(0), ...Array(13).fill(1)]);
  const s2 = splitRows(20, 0.15, new Random(1), l2);
  assert.equal(s2.test.length, 3);
  assert.deepEqual([0, 1].map((k) => Array.from(s2.test).filter((i) => l2[i] === k).length), [1, 2]);
  // A class with a single row stays in training.
  const l3 = Int32Array.from([0, 0, 0, 0, 1]);
  const s3 = splitRows(5, 0.5, new Random(1), l3);
  assert.ok(Array.from(s3.train).includes(4));
});

test('a test fraction of 0 keeps every row for training; fractions outside [0, 1) are refused', () => {
  assert.deepEqual(splitRows(4, 0, new Random(1)), { train: Int32Array.from([0, 1, 2, 3]), test: new Int32Array(0) });
  for (const f of [1, 1.5, -0.1, NaN]) assert.throws(() => splitRows(10, f, new Random(1)), /test fraction must be ≥ 0 and < 1/);
});

test('takeRows copies the chosen rows', () => {
  const m = Matrix.from([[1, 2], [3, 4], [5, 6]]);
  assert.deepEqual(takeRows(m, [2, 0]).toArray(), [[5, 6], [1, 2]]);
});

test('values whose scaling overflows are refused, naming the column; min-max scaling takes what standardising cannot (found by fuzzing)', () => {
  const huge = Matrix.from([
    [1, 1e200],
    [2, -1e200],
    [3, 5],
  ]);
  const refused = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (e: unknown) => e instanceof BackpropError && pattern.test(e.message));
  // The squares of 1e200 overflow: before, the scale became Infinity and the model could not be saved.
  refused(() => fitScaler(huge, 'standard', ['small', 'big']), /^column 'big' holds values too large to scale \(up to 1\.00e\+200\): their mean or variance overflows/);
  const mm = fitScaler(huge, 'minmax');
  assert.ok(applyScaler(mm, huge).data.every((v) => v >= 0 && v <= 1));
  // A sum past the largest float (the mean was Infinity, so every scaled value was −Infinity).
  refused(() => fitScaler(Matrix.from([[1e308], [1e308], [1]]), 'standard'), /^column 1 holds values too large to scale/);
  // A range past the largest float.
  refused(() => fitScaler(Matrix.from([[1.5e308], [-1.5e308]]), 'minmax', ['x']), /^column 'x' .*their range overflows 64-bit floating point\. Divide the column by a power of ten first$/);
});

test('scaleSplitInPlace writes, over the matrix itself, the bits scaledRows copies out, for any split; it refuses what is not one', async () => {
  const { scaleSplitInPlace, scaledRows } = await import('../src/data/preprocess.js');
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 1e6 }), fc.double({ min: 0, max: 0.9, noNaN: true }), fc.constantFrom('standard', 'minmax', 'none' as const), (rows, cols, seed, fraction, kind) => {
      const rng = new Random(seed);
      const x = new Matrix(rows, cols);
      for (let i = 0; i < x.data.length; i++) x.data[i] = rng.uniform(-5, 5);
      const { train, test } = splitRows(rows, fraction, rng);
      const s = fitScaler(x, kind);
      const order = Int32Array.from([...train, ...test]);
      const want = scaledRows(s, x, order);
      const got = scaleSplitInPlace(s, x, train, test);
      assert.equal(got, x);
      assert.deepEqual(got.data, want.data);
    }),
    { numRuns: 300 },
  );
  const x = new Matrix(3, 1, new Float64Array([1, 2, 3]));
  const s = fitScaler(x, 'none');
  assert.throws(() => scaleSplitInPlace(s, x, Int32Array.of(2, 0), Int32Array.of(1)), /not an ascending split/);
  assert.throws(() => scaleSplitInPlace(s, x, Int32Array.of(0, 1), Int32Array.of(1)), /not an ascending split/);
});

test('trainModel with reuseData builds its parts in the data set\'s memory: the same model, metrics and evaluations as with copies', async () => {
  const { trainModel } = await import('../src/io/train-model.js');
  const { readDataset } = await import('../src/data/dataset.js');
  for (const text of ['x,y,label\n' + Array.from({ length: 300 }, (_, i) => `${(i * 37) % 101},${(i * 13) % 7},${'abc'[(i * 37) % 101 > 50 ? 0 : i % 2 ? 1 : 2]}`).join('\n'), 'x,y\n' + Array.from({ length: 200 }, (_, i) => `${i % 17},${(i % 17) * 2 + (i % 3)}`).join('\n')]) {
    const a = trainModel(await readDataset(text, 'f.csv'), { epochs: 3, batchSize: 16 });
    const data = await readDataset(text, 'f.csv');
    const b = trainModel(data, { epochs: 3, batchSize: 16, reuseData: true });
    const unTimed = (m: typeof a.model) => {
      const f = structuredClone(m.file);
      f.training.history.seconds = 0;
      f.training.metrics.seconds = 0;
      return f;
    };
    assert.deepEqual(unTimed(b.model), unTimed(a.model));
    assert.deepEqual(b.metrics, { ...a.metrics, seconds: b.metrics.seconds });
    assert.deepEqual(b.test, a.test);
    assert.deepEqual(b.train, a.train);
  }
});
