// The playground's model files are the library's: what the page exports the command line's
// code reads, and what the command line trains the page loads and shows with the same figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BackpropError, fingerprintTable, Model, networkFromModelFile, optimizer, parseCsv, parseModelFile, trainModel, Trainer } from '../../src/index.js';
import { DEFAULT_CONFIG, fitOptions, type PlaygroundConfig } from '../src/config.js';
import { makeDataset } from '../src/datasets.js';
import { exportModel, loadModel } from '../src/model-io.js';
import { Session } from '../src/session.js';

const irisTable = parseCsv(readFileSync(new URL('../../data/iris.csv', import.meta.url), 'utf8'), 'iris.csv');

const irisConfig: PlaygroundConfig = {
  ...DEFAULT_CONFIG,
  data: { ...DEFAULT_CONFIG.data, name: 'iris', irisFeatures: [2, 3], trainRatio: 0.7 },
  outputActivation: 'softmax',
  loss: 'cross-entropy',
};

/** iris.csv cut down to some of its columns, as a person would cut it for a model of those features. */
function irisColumns(columns: number[]) {
  const text = readFileSync(new URL('../../data/iris.csv', import.meta.url), 'utf8');
  const lines = text.trim().split(/\r?\n/).map((l) => l.split(','));
  return parseCsv(lines.map((f) => [...columns.map((j) => f[j]), f[4]].join(',')).join('\n'), 'iris-petals.csv');
}

test('the page\'s Iris rows, all four features, have the fingerprint of the bundled iris.csv', () => {
  const d = makeDataset({ ...irisConfig.data, irisFeatures: [0, 1, 2, 3] }, true);
  assert.equal(
    fingerprintTable({ source: 'page', header: d.table.header, rows: d.table.rows, lines: [], delimiter: ',' }),
    fingerprintTable(irisTable),
  );
});

test('an exported Iris model is a valid model file, and the library evaluates it on those Iris columns as the page does', () => {
  const s = new Session(irisConfig);
  s.run(20);
  const text = exportModel(s);
  const file = parseModelFile(text, 'exported');
  assert.deepEqual(file.data.features, ['petal_length', 'petal_width']);
  assert.equal(file.data.kind, 'classification');
  const model = Model.parse(text, 'exported');
  const p = s.progress();
  const petals = irisColumns([2, 3]);
  const test = model.evaluate(petals, 'test');
  const train = model.evaluate(petals, 'train');
  assert.equal(test.rows, 45);
  assert.equal(test.accuracy, p.testAccuracy);
  assert.equal(train.accuracy, p.trainAccuracy);
  assert.ok(Math.abs(test.loss - p.testLoss!) < 1e-12, `${test.loss} vs ${p.testLoss}`);
  assert.ok(p.testAccuracy! > 0.9, String(p.testAccuracy));
});

test('a model trained by the command line\'s trainModel loads with its test rows and shows its figures', () => {
  const cli = trainModel(irisTable, { seed: 3, epochs: 40 });
  const s = loadModel(cli.model.toText(), 'iris-model.json', DEFAULT_CONFIG);
  assert.equal(s.config.data.name, 'iris');
  assert.deepEqual(s.config.data.irisFeatures, [0, 1, 2, 3]);
  assert.equal(s.config.outputActivation, 'softmax');
  assert.equal(s.config.optimizer, 'adam');
  const p = s.progress();
  assert.equal(p.testLoss, cli.metrics.testLoss);
  assert.equal(p.testAccuracy, cli.metrics.testAccuracy);
  assert.equal(p.trainAccuracy, cli.metrics.trainAccuracy);
  assert.equal(s.grids(8), undefined);
});

test('a playground XOR model (one sigmoid output) round-trips through the file', () => {
  const s = new Session(DEFAULT_CONFIG);
  s.run(7);
  const text = exportModel(s);
  assert.equal(parseModelFile(text).data.kind, 'regression');
  const back = loadModel(text, 'xor.json', DEFAULT_CONFIG);
  assert.equal(back.config.data.name, 'xor');
  assert.deepEqual(back.weights(), s.weights());
  assert.deepEqual(back.progress(), { ...s.progress(), step: 0, epoch: 0, measuredAt: 0 });
});

test('a model the playground cannot show, or a damaged file, is refused with the reason', () => {
  const table = parseCsv('a,b,c,y\n' + Array.from({ length: 30 }, (_, i) => `${i},${i % 3},${i % 5},${i % 2}`).join('\n'), 'three.csv');
  const three = trainModel(table, { epochs: 2 }).model.toText();
  assert.throws(
    () => loadModel(three, 'three.json'),
    (e: unknown) => e instanceof BackpropError && /3 inputs \(a, b, c\)/.test(e.message),
  );
  assert.throws(
    () => loadModel(exportModel(new Session(DEFAULT_CONFIG)).slice(0, 200), 'cut.json'),
    (e: unknown) => e instanceof BackpropError && /cut\.json/.test(e.message),
  );
});

test('a CLI-trained Iris model loads after a 2-D model file (the 2-D file\'s scaling is not carried over)', () => {
  const spirals: PlaygroundConfig = { ...DEFAULT_CONFIG, data: { ...DEFAULT_CONFIG.data, name: 'spirals' } };
  const twoD = loadModel(exportModel(new Session(spirals)), 'spirals.json', spirals);
  assert.ok(twoD.config.data.fixed, 'the 2-D model keeps its scaling');
  const cli = trainModel(irisTable, { seed: 3, epochs: 5 });
  const s = loadModel(cli.model.toText(), 'iris-model.json', twoD.config);
  assert.equal(s.config.data.name, 'iris');
  assert.equal(s.progress().testAccuracy, cli.metrics.testAccuracy);
});

test('a 2-D model opens on the set it was trained on, with its own test rows, whatever set is showing', () => {
  const spirals: PlaygroundConfig = {
    ...DEFAULT_CONFIG,
    data: { ...DEFAULT_CONFIG.data, name: 'spirals', samples: 200, noise: 0.1, trainRatio: 0.7, seed: 5 },
  };
  const s = new Session(spirals);
  s.run(20);
  const circle: PlaygroundConfig = { ...DEFAULT_CONFIG, data: { ...DEFAULT_CONFIG.data, name: 'circle' } };
  const back = loadModel(exportModel(s), 'spirals.json', circle);
  const { fixed, ...data } = back.config.data;
  assert.deepEqual(data, spirals.data);
  assert.deepEqual(fixed?.testRows, s.data.testRows);
  assert.deepEqual(back.progress(), { ...s.progress(), step: 0, epoch: 0, measuredAt: 0 });
});

test('a 2-D model of a CSV file the page does not have says so, and is shown over the current set', () => {
  const table = parseCsv('a,b,y\n' + Array.from({ length: 40 }, (_, i) => `${i / 40},${(i % 7) / 7},${i % 2}`).join('\n'), 'mine.csv');
  const text = trainModel(table, { epochs: 2, outputActivation: 'sigmoid', task: 'regression' }).model.toText();
  const circle: PlaygroundConfig = { ...DEFAULT_CONFIG, data: { ...DEFAULT_CONFIG.data, name: 'circle' } };
  const back = loadModel(text, 'mine.json', circle);
  assert.equal(back.config.data.name, 'circle');
  assert.match(back.config.data.fixed?.note ?? '', /trained on mine\.csv, which the page does not have: shown over Circle/);
});

test('a command-line model trained with both L1 and L2 loads with both, and trains on as the library does with both', () => {
  const trained = trainModel(irisTable, { layers: [5], epochs: 3, l1: 0.002, l2: 0.01 });
  const text = trained.model.toText();
  const s = loadModel(text, 'both.json', DEFAULT_CONFIG);
  assert.deepEqual([s.config.l1, s.config.l2], [0.002, 0.01]);
  // the page's next epoch is the library's epoch of the file's network with l1 and l2, not with the L2 alone
  const epoch = (l1: number, l2: number) => {
    const net = networkFromModelFile(parseModelFile(text, 'both.json'));
    const options = fitOptions({ ...s.config, l1, l2 }, s.data.trainX.length);
    new Trainer(net, s.data.trainX, s.data.trainY, { ...options, optimizer: optimizer(s.config.optimizer) }).epoch();
    return net.toJSON();
  };
  s.run(1);
  assert.deepEqual(s.net.toJSON(), epoch(0.002, 0.01));
  assert.notDeepEqual(s.net.toJSON(), epoch(0, 0.01));
  // one of the two: the other is off
  const l2 = loadModel(trainModel(irisTable, { layers: [5], epochs: 3, l2: 0.01 }).model.toText(), 'l2.json', { ...DEFAULT_CONFIG, l1: 0.1 });
  assert.deepEqual([l2.config.l1, l2.config.l2], [0, 0.01]);
});
