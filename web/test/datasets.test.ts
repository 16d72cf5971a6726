// The playground's data sets: seeded, split as asked, classes where they should be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { classOf, DATASET_NAMES, makeDataset, type DataOptions } from '../src/datasets.js';
import { IRIS_ROWS } from '../src/iris.js';

const base: DataOptions = { name: 'xor', samples: 200, noise: 0, trainRatio: 0.5, irisFeatures: [2, 3], seed: 7 };

test('every data set is the same for the same seed and different for another', () => {
  // a CSV file's rows are the file's (web/test/csv-data.test.ts)
  for (const name of DATASET_NAMES.filter((n) => n !== 'csv')) {
    const a = makeDataset({ ...base, name });
    const b = makeDataset({ ...base, name });
    assert.deepEqual(a, b, name);
    if (name !== 'slides') assert.notDeepEqual(makeDataset({ ...base, name, seed: 8 }).trainX, a.trainX, name);
  }
});

test('the 2-D sets split their points by the training ratio, inside the drawn box, with both classes', () => {
  for (const name of ['xor', 'circle', 'spirals', 'gauss'] as const) {
    const d = makeDataset({ ...base, name, trainRatio: 0.3, noise: 0 });
    assert.equal(d.trainX.length, 60, name);
    assert.equal(d.testX.length, 140, name);
    const [x0, x1, y0, y1] = d.box!;
    for (const [x, y] of d.trainX.concat(d.testX)) assert.ok(x > x0 && x < x1 && y > y0 && y < y1, `${name}: (${x}, ${y})`);
    const ones = d.trainY.concat(d.testY).filter((t) => classOf(t) === 1).length;
    assert.ok(ones > 60 && ones < 140, `${name}: ${ones} of 200 in class 1`);
  }
});

test('XOR without noise labels a point 1 exactly when its coordinates share a sign', () => {
  const d = makeDataset(base);
  d.trainX.forEach(([x, y], i) => assert.equal(d.trainY[i][0], x * y > 0 ? 1 : 0));
});

test('one target column for two classes, one per class when one-hot is asked', () => {
  assert.equal(makeDataset(base).trainY[0].length, 1);
  const hot = makeDataset(base, true);
  assert.equal(hot.trainY[0].length, 2);
  hot.trainY.forEach((t) => assert.equal(t[0] + t[1], 1));
});

test('Iris: the two chosen features, standardised on the training rows; three classes one-hot', () => {
  const d = makeDataset({ ...base, name: 'iris', trainRatio: 0.6, irisFeatures: [0, 3] });
  assert.equal(d.trainX.length, 90);
  assert.equal(d.testX.length, 60);
  assert.deepEqual(d.classes, ['setosa', 'versicolor', 'virginica']);
  assert.equal(d.trainY[0].length, 3);
  for (const j of [0, 1]) {
    const col = d.trainX.map((r) => r[j]);
    const mean = col.reduce((s, v) => s + v, 0) / col.length;
    const sd = Math.sqrt(col.reduce((s, v) => s + (v - mean) ** 2, 0) / col.length);
    assert.ok(Math.abs(mean) < 1e-12 && Math.abs(sd - 1) < 1e-12, `feature ${j}: mean ${mean}, sd ${sd}`);
  }
});

test('the page\'s Iris rows are the project\'s bundled data/iris.csv, row for row', () => {
  const lines = readFileSync(new URL('../../data/iris.csv', import.meta.url), 'utf8').trim().split(/\r?\n/);
  const species = ['setosa', 'versicolor', 'virginica'];
  const rows = lines.slice(1).map((l) => l.split(',')).map((f) => [...f.slice(0, 4).map(Number), species.indexOf(f[4])]);
  assert.deepEqual(IRIS_ROWS, rows);
});

test('the slides example is the slides\' 3 samples, all for training', () => {
  const d = makeDataset({ ...base, name: 'slides' });
  assert.deepEqual(d.trainX[0], [4.9, 3.0, 1.4, 0.2]);
  assert.deepEqual(d.trainY, [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  assert.equal(d.testX.length, 0);
});
