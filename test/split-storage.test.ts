// Model files of big data do not list their test rows: the split is derived again from the seed,
// the test fraction and the rows' classes, and is the split training made.
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
