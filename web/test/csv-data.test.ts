// Your own data: a CSV file read by the library's reader, its target read as classes or numbers,
// split by the seed and scaled on the training rows, then trained by the same session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BackpropError } from '../../src/index.js';
import { DEFAULT_CONFIG, type PlaygroundConfig } from '../src/config.js';
import { csvDataset, datasetFor, readCsv, useCsvFile } from '../src/csv-data.js';
import { Session } from '../src/session.js';

const csv: PlaygroundConfig = { ...DEFAULT_CONFIG, data: { ...DEFAULT_CONFIG.data, name: 'csv', trainRatio: 0.8 } };
const iris = await readCsv(readFileSync(new URL('../../data/iris.csv', import.meta.url), 'utf8'), 'iris.csv');

test('a classification CSV: its classes, its features standardised on the training rows, a 80/20 split', () => {
  const d = csvDataset(iris, csv.data, false);
  assert.equal(d.kind, 'classification');
  assert.deepEqual(d.classes, ['setosa', 'versicolor', 'virginica']);
  assert.deepEqual(d.inputs, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
  assert.equal(d.trainX.length, 120);
  assert.equal(d.testX.length, 30);
  assert.equal(d.trainY[0].length, 3);
  const mean = d.trainX.reduce((s, r) => s + r[2], 0) / d.trainX.length;
  assert.ok(Math.abs(mean) < 1e-12);
  assert.equal(d.box, undefined);
});

test('a regression CSV trains in a session with a linear output, and its loss falls', async () => {
  const rows = Array.from({ length: 200 }, (_, i) => {
    const x = -2 + (4 * i) / 199;
    return `${x},${3 * Math.sin(1.5 * x) + 10}`;
  });
  useCsvFile(await readCsv(`x,y\n${rows.join('\n')}\n`, 'sine.csv'));
  const s = new Session({ ...csv, outputActivation: 'linear', hidden: [{ units: 8, activation: 'tanh' }] });
  assert.equal(s.data.kind, 'regression');
  assert.equal(s.data.source, 'sine.csv');
  const before = s.progress().trainLoss;
  s.run(100);
  const after = s.progress().trainLoss;
  assert.ok(after < before / 5, `loss ${before} → ${after}`);
});

test('a 2-D CSV gets a box to draw its boundary over; a bad file is refused with the reader\'s message', async () => {
  const text = 'a,b,label\n' + Array.from({ length: 60 }, (_, i) => `${i % 7},${i % 5},${i % 7 > 3 ? 'yes' : 'no'}`).join('\n');
  const d = csvDataset(await readCsv(text, 'two.csv'), csv.data, false);
  assert.equal(d.trainY[0].length, 1);
  assert.ok(d.box && d.box[0] < d.box[1]);
  await assert.rejects(readCsv('a,b\n1,2\n3\n', 'short.csv'), (e: unknown) => e instanceof BackpropError && /short\.csv/.test(e.message));
  assert.equal(datasetFor({ ...csv.data, name: 'xor' }).name, 'xor');
});

test('the page\'s copy of a large CSV data set holds a sample to draw and the full counts', async () => {
  const { forPage, PAGE_ROWS } = await import('../src/csv-data.js');
  const text = 'a,b,label\n' + Array.from({ length: 12_000 }, (_, i) => `${i % 97},${i % 89},${i % 3 ? 'x' : 'y'}`).join('\n');
  const d = csvDataset(await readCsv(text, 'big.csv'), csv.data, false);
  const page = forPage(d);
  assert.deepEqual(page.full, { train: d.trainX.length, test: d.testX.length });
  assert.ok(page.trainX.length <= PAGE_ROWS && page.trainX.length > PAGE_ROWS / 2);
  assert.equal(page.trainY.length, page.trainX.length);
  assert.deepEqual(page.trainX[1], d.trainX[Math.ceil(d.trainX.length / PAGE_ROWS)]);
  assert.equal(page.table.rows.length, 0);
  assert.equal(forPage(csvDataset(iris, csv.data, false)).trainX.length, 120);
});

test('a file read in chunks (split inside rows and inside UTF-8 characters) gives the data set of its whole text', async () => {
  const text = 'größe,b,label\n' + Array.from({ length: 3000 }, (_, i) => `${(i % 97) / 7},${i % 89},${i % 3 ? 'x' : 'ÿ'}`).join('\n') + '\n';
  const bytes = new TextEncoder().encode(text);
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += 1001) yield bytes.subarray(i, i + 1001);
  }
  const whole = csvDataset(await readCsv(text, 'c.csv'), csv.data, false);
  const streamed = csvDataset(await readCsv(chunks(), 'c.csv', bytes.length), csv.data, false);
  assert.deepEqual(streamed, whole);
  assert.deepEqual(whole.classes, ['x', 'ÿ']);
  assert.equal(whole.file!.rows, 3000);
  assert.equal(whole.table.rows.length, 0);
});

test('a bad cell at a late row is one line naming the file, the row and the column', async () => {
  const rows = Array.from({ length: 50_000 }, (_, i) => `${i % 7},${i % 5},${i % 2}`);
  rows[49_990] = '3,oops,1';
  await assert.rejects(readCsv(`a,b,c\n${rows.join('\n')}\n`, 'late.csv'), (e: unknown) => {
    assert.ok(e instanceof BackpropError);
    assert.doesNotMatch(e.message, /\n/);
    assert.match(e.message, /^late\.csv row 49992, column 2 \('b'\): expected a number, got 'oops'/);
    return true;
  });
});

test('an exported model of a CSV data set names the file\'s rows and its fingerprint from the reader', async () => {
  const { modelFileOf } = await import('../src/model-io.js');
  const { fingerprintTable, parseCsv } = await import('../../src/index.js');
  const text = readFileSync(new URL('../../data/iris.csv', import.meta.url), 'utf8');
  useCsvFile(await readCsv(text, 'iris.csv'));
  const file = modelFileOf(new Session({ ...csv, outputActivation: 'softmax', loss: 'cross-entropy' }));
  assert.equal(file.data.rows, 150);
  assert.equal(file.data.fingerprint, fingerprintTable(parseCsv(text, 'iris.csv')));
});
