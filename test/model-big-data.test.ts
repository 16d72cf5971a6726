// Models of big data: the file does not list the test rows (the split is derived again from the seed,
// the test fraction and the classes), and evaluation runs block by block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model, parseCsv, trainModel } from '../src/index.js';
import { STORED_SPLIT_MAX_ROWS } from '../src/io/train-model.js';

function table(rows: number) {
  const lines = ['a,b,y'];
  for (let i = 0; i < rows; i++) lines.push(`${(i * 7919) % 1000},${(i * 104729) % 997},${['p', 'q', 'r'][(i * 31) % 3]}`);
  return parseCsv(lines.join('\n'), `rows${rows}.csv`);
}

test('past STORED_SPLIT_MAX_ROWS rows the model file lists no test rows, and evaluate --split test finds the same rows again', () => {
  const t = table(STORED_SPLIT_MAX_ROWS + 500);
  const r = trainModel(t, { epochs: 1, layers: [4], seed: 3 });
  const text = r.model.toText();
  const file = JSON.parse(text);
  assert.equal(file.training.testRows, undefined);
  assert.ok(text.length < 20_000, `a small file: ${text.length} characters`);
  const again = Model.parse(text, 'm.json');
  assert.deepEqual(Array.from(again.splitRows(t, 'test', r.dataset.labels)), Array.from(r.split.test));
  const e = again.evaluate(t, 'test');
  assert.equal(e.rows, r.split.test.length);
  assert.equal(e.accuracy, r.test!.accuracy);
  assert.equal(again.evaluate(t, 'train').rows, r.split.train.length);
});

test('small data keeps listing its test rows', () => {
  const r = trainModel(table(200), { epochs: 1, layers: [4] });
  assert.deepEqual(JSON.parse(r.model.toText()).training.testRows, Array.from(r.split.test));
});

test('past EVALUATION_BLOCK rows a model is evaluated block by block: the same counts, the same loss up to rounding', async () => {
  const { evaluate } = await import('../src/index.js');
  const { EVALUATION_BLOCK } = await import('../src/io/model.js');
  const t = table(EVALUATION_BLOCK + 4_321);
  const r = trainModel(t, { epochs: 1, layers: [4], testSplit: 0 });
  const p = r.model.prepare(t, true);
  const whole = evaluate(r.model.network, p.X, p.Y!);
  const blocks = r.model.evaluatePrepared(p);
  assert.equal(blocks.rows, p.X.rows);
  assert.deepEqual(blocks.confusion, whole.confusion);
  assert.equal(blocks.accuracy, whole.accuracy);
  assert.deepEqual(blocks.precision, whole.precision);
  assert.ok(Math.abs(blocks.loss - whole.loss) <= 1e-12 * Math.abs(whole.loss), `${blocks.loss} vs ${whole.loss}`);
});

test('scaledRows writes into a given matrix (an engine memory view), float32 too, and refuses a wrong shape', async () => {
  const { Matrix, BackpropError } = await import('../src/index.js');
  const { scaledRows } = await import('../src/data/preprocess.js');
  const x = Matrix.from([[1, 2], [3, 4], [5, 6]]);
  const s = { kind: 'standard' as const, shift: [1, 2], scale: [2, 4] };
  const memory = new Float32Array(8);
  const out = new Matrix(2, 2, memory.subarray(2, 6));
  assert.equal(scaledRows(s, x, Int32Array.from([2, 0]), out), out);
  assert.deepEqual(Array.from(memory), [0, 0, 2, 1, 0, 0, 0, 0]);
  assert.throws(() => scaledRows(s, x, Int32Array.from([0]), out), BackpropError);
});

test('past EVALUATION_BLOCK rows predictions are made block by block: one per row, in order, as the network gives them', async () => {
  const { EVALUATION_BLOCK } = await import('../src/io/model.js');
  const t = table(EVALUATION_BLOCK + 1_000);
  const r = trainModel(t, { epochs: 1, layers: [4], testSplit: 0 });
  const X = r.model.prepare(t).X;
  const p = r.model.predictPrepared(X);
  assert.equal(p.predicted.length, X.rows);
  assert.equal(p.outputs!.length, X.rows);
  for (const i of [0, EVALUATION_BLOCK - 1, EVALUATION_BLOCK, X.rows - 1]) {
    const row = r.model.network.predict([Array.from(X.data.subarray(i * X.cols, (i + 1) * X.cols))])[0];
    row.forEach((v, k) => assert.ok(Math.abs(v - p.outputs![i][k]) <= 1e-12, `row ${i}`));
    assert.equal(p.predicted[i], r.model.file.data.classes![row.indexOf(Math.max(...row))]);
  }
});
