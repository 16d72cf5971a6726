// The library's answers to data in a wrong shape, empty tables and edited files: a BackpropError
// whose message names the argument, row or field and what was expected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BackpropError, Network, parseCsv, parseModelFile, parseTrainCheckpoint, trainCheckpointToText, trainModel, type TrainCheckpoint } from '../src/index.js';
import { classFigures } from '../src/train/confusion.js';
import { formatEvaluation } from '../cli/report.js';
import { root } from './helpers.js';

const throwsWith = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof BackpropError && message.test(e.message) && !e.message.includes('\n'));

test('fit and predict say what is wrong with data in a shape they do not take', () => {
  const net = new Network({ inputs: 2, layers: [{ units: 2 }, { units: 1, activation: 'sigmoid' }], seed: 1 });
  const Y = [[0], [1], [1], [0]];
  throwsWith(() => net.fit(null as never, Y, { epochs: 1 }), /^X must be a Matrix or an array of rows \(arrays of numbers\), got null$/);
  throwsWith(() => net.fit([[0, 0]], undefined as never, { epochs: 1 }), /^Y must be a Matrix or an array of rows .*, got undefined$/);
  throwsWith(() => net.fit([new BigInt64Array([1n, 2n])] as never, [[1]], { epochs: 1 }), /^row 1 of X holds BigInts \(a BigInt64Array of 2\): give numbers/);
  throwsWith(
    () => net.fit(new Float64Array([0, 0, 0, 1, 1, 0, 1, 1]) as never, Y, { epochs: 1 }),
    /^X is a Float64Array of 8 numbers in one flat list: give one array per row, such as \[\[0, 1\], \[1, 0\]\], or a Matrix/,
  );
  throwsWith(() => net.predict([[0, 1], 'ab'] as never), /^row 2 of X is a string, expected an array of 2 numbers$/);
  throwsWith(() => net.predict([[0, 1], [1]]), /^row 2 of X has 1 values, expected 2$/);
  assert.equal(net.predict([Float64Array.of(0, 1)] as never as number[][]).length, 1, 'typed rows are rows');
});

test('trainModel on a table with no rows says so', () => {
  throwsWith(() => trainModel(parseCsvHeaderOnly(), {}), /^empty\.csv has a header row but no data rows: there is nothing to train on$/);
});

function parseCsvHeaderOnly() {
  return { header: ['a', 'b', 'y'], rows: [], lines: [], source: 'empty.csv' } as unknown as Parameters<typeof trainModel>[0];
}

test('checksums: a saved model file or checkpoint loads back; an edit is refused naming its section', () => {
  const iris = parseCsv(readFileSync(join(root, 'data/iris.csv'), 'utf8'), 'iris.csv');
  let saved: TrainCheckpoint | undefined;
  const text = trainModel(iris, { epochs: 2, checkpoint: { everyEpochs: 1, save: (c) => void (saved = c) } }).model.toText();
  assert.ok(parseModelFile(text, 'm.json').checksum);
  throwsWith(() => parseModelFile(text.replace('"optimizer": "adam"', '"optimizer": "sgd"'), 'm.json'), /^m\.json was changed after it was saved .*: field training does not match/);
  const warnings: string[] = [];
  parseModelFile(text.replace(/,\n {2}"checksum": \{[^}]*\}/, ''), 'old.json', { onUnverified: (m) => warnings.push(m) });
  assert.deepEqual(warnings, ['old.json carries no checksum (saved by an older backprop), so an edit cannot be detected: it is used as it is']);

  const ckpt = trainCheckpointToText(saved!);
  assert.deepEqual(JSON.parse(JSON.stringify(parseTrainCheckpoint(ckpt).fit.params)), JSON.parse(JSON.stringify(saved!.fit.params)));
  const edit = (f: (c: any) => void) => {
    const c = JSON.parse(ckpt);
    f(c);
    return JSON.stringify(c);
  };
  throwsWith(() => parseTrainCheckpoint(edit((c) => (c.fit.params[0][0] = 1e300)), 'c.json'), /field fit\.params does not match/);
  throwsWith(() => parseTrainCheckpoint(edit((c) => ((c.fit.params[0][0] = 1), (c.settings.seed = 9))), 'c.json'), /fields settings, fit\.params do not match/);
  throwsWith(() => parseTrainCheckpoint(edit((c) => ((c.fit.epoch = 99), delete c.checksum)), 'c.json'), /field fit\.epoch is 99, but fit\.history counts 2 finished epochs, so it should be 3/);
});

test('many classes: precision, recall and accuracy in one pass; the confusion cells listed past 1,000 classes', () => {
  const k = 1500;
  const actual = Int32Array.from({ length: 6000 }, (_, i) => i % k);
  const predicted = Int32Array.from(actual, (a, i) => (i % 7 === 0 ? (a + 1) % k : a));
  const big = classFigures(predicted, actual, k);
  assert.equal(big.confusion, undefined);
  // the same figures as from the dense matrix, built here the plain way
  const dense = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < actual.length; i++) dense[actual[i]][predicted[i]]++;
  const cells = dense.flatMap((row, a) => row.flatMap((n, p) => (n ? [[a, p, n]] : [])));
  assert.deepEqual([...big.confusionCells!].sort((x, y) => x[0] - y[0] || x[1] - y[1]), cells);
  assert.deepEqual(big.precision, dense.map((_, j) => dense[j][j] / dense.reduce((s, r) => s + r[j], 0)));
  assert.deepEqual(big.recall, dense.map((r, j) => r[j] / r.reduce((s, v) => s + v, 0)));
  assert.equal(big.accuracy, actual.filter((a, i) => a === predicted[i]).length / actual.length);
  assert.deepEqual(classFigures(predicted.map((p) => p % 10), actual.map((a) => a % 10), 10).confusion!.length, 10);

  const classes = Array.from({ length: k }, (_, i) => `c${i}`);
  const text = formatEvaluation('test', { rows: actual.length, loss: 1, lossName: 'cross-entropy', classes, ...big });
  assert.match(text, /1500 classes, too many for a table: 858 of 6000 rows are predicted as another class; the most frequent:/);
  assert.match(text, /… and 1480 more classes \(--json gives them all\)/);
  assert.ok(text.split('\n').length < 60);
});
