// The command line end to end: train on the bundled sets, then evaluate, predict, info and
// trace reproduce the figures from the saved file.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../src/index.js';
import { backprop, lastJSON, root, tempDir } from './cli-run.js';

describe('backprop train iris, then the saved model', { concurrency: true }, () => {
  const dir = tempDir();
  const model = join(dir, 'iris.json');
  const plot = join(dir, 'loss.svg');
  let trained: any;
  let stderr = '';

  before(async () => {
    const r = await backprop(['train', 'iris', '--seed', '1', '--out', model, '--plot', plot, '--json']);
    assert.equal(r.code, 0, r.stderr);
    trained = lastJSON(r.stdout);
    stderr = r.stderr;
  });

  test('reaches test accuracy ≥ 0.93 and reports the figures as JSON on the last line', () => {
    assert.ok(trained.testAccuracy >= 0.93, `test accuracy ${trained.testAccuracy}`);
    for (const k of ['trainLoss', 'testLoss', 'testAccuracy', 'epochs', 'seconds']) assert.equal(typeof trained[k], 'number', k);
    assert.equal(trained.epochs, 100);
    assert.deepEqual(trained.classes, ['setosa', 'versicolor', 'virginica']);
    assert.equal(trained.model, model);
  });

  test('progress goes to stderr as plain lines when it is not a terminal', () => {
    assert.match(stderr, /^epoch +1\/100 +loss [\d.]+ +accuracy [\d.]+ +test loss [\d.]+$/m);
    assert.match(stderr, /^epoch 100\/100 /m);
    assert.ok(stderr.trim().split('\n').length <= 12, stderr);
  });

  test('evaluate --split test reproduces the test loss and accuracy exactly', async () => {
    const r = await backprop(['evaluate', model, 'iris', '--split', 'test', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const e = lastJSON(r.stdout);
    assert.equal(e.rows, 30);
    assert.equal(e.loss, trained.testLoss);
    assert.equal(e.accuracy, trained.testAccuracy);
    assert.equal(e.confusion.flat().reduce((s: number, v: number) => s + v, 0), 30);
  });

  test('evaluate prints loss, accuracy, per-class precision and recall and the confusion matrix with class names', async () => {
    const r = await backprop(['evaluate', model, 'iris']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /all +150 +[\d.]+ +0\.9\d+/);
    assert.match(r.stdout, /class +precision +recall +rows/);
    assert.match(r.stdout, /^versicolor +[\d.]+ +[\d.]+ +50$/m);
    assert.match(r.stdout, /actual \\ predicted +setosa +versicolor +virginica/);
  });

  test('predict writes one row per input row whose classes give the accuracy evaluate reports', async () => {
    const out = join(dir, 'preds.csv');
    const [p, e] = await Promise.all([backprop(['predict', model, 'iris', '--out', out]), backprop(['evaluate', model, 'iris', '--json'])]);
    assert.equal(p.code, 0, p.stderr);
    const preds = parseCsv(readFileSync(out, 'utf8'), 'preds.csv');
    assert.deepEqual(preds.header, ['row', 'predicted_species', 'p_setosa', 'p_versicolor', 'p_virginica']);
    assert.equal(preds.rows.length, 150);
    const iris = parseCsv(readFileSync(join(root, 'data/iris.csv'), 'utf8'), 'iris.csv');
    const hits = preds.rows.filter((r, i) => r[1] === iris.rows[i][4]).length;
    assert.equal(hits / 150, lastJSON(e.stdout).accuracy);
    for (const r of preds.rows) {
      const probs = r.slice(2).map(Number);
      assert.ok(Math.abs(probs.reduce((s, v) => s + v, 0) - 1) < 1e-5);
      assert.equal(r[1], preds.header[2 + probs.indexOf(Math.max(...probs))].slice(2));
    }
    assert.equal(preds.rows[0][0], '2');
  });

  test('predict accepts data without the target column and prints to stdout', async () => {
    const csv = join(dir, 'new.csv');
    const fs = await import('node:fs');
    fs.writeFileSync(csv, 'petal_width;petal_length;sepal_width;sepal_length\n0,2;1,4;3,5;5,1\n2,3;5,9;3,0;6,7\n');
    const r = await backprop(['predict', model, csv]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[1], /^2,setosa,/);
    assert.match(lines[2], /^3,virginica,/);
  });

  test('info shows the architecture, parameter count, loss, preprocessing and training', async () => {
    const [text, json] = await Promise.all([backprop(['info', model]), backprop(['info', model, '--json'])]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /network 4-8-3, 67 parameters/);
    assert.match(text.stdout, /loss cross-entropy/);
    assert.match(text.stdout, /features standardised/);
    assert.match(text.stdout, /adam, learning rate 0\.01, batch 32, 100 of 100 epochs/);
    const info = lastJSON(json.stdout);
    assert.equal(info.parameters, 67);
    assert.equal(info.architecture, '4-8-3');
    assert.equal(info.metrics.testAccuracy, trained.testAccuracy);
  });

  test('trace prints the named matrices of the first rows', async () => {
    const r = await backprop(['trace', model, 'iris', '--rows', '2', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const t = lastJSON(r.stdout);
    assert.equal(t.X.length, 2);
    assert.deepEqual(t.Y, [[1, 0, 0], [1, 0, 0]]);
    for (const name of ['H_in', 'H_out', 'O_in', 'O_out', 'O_error', 'O_delta', 'W2_update', 'H_error', 'H_delta', 'W1_update']) {
      assert.ok(Array.isArray(t[name]), name);
    }
    assert.equal(t.W1.length, 4);
    const text = await backprop(['trace', model, 'iris', '--rows', '1']);
    assert.match(text.stdout, /on row 2 of iris\.csv/);
    assert.match(text.stdout, /W1_update = 1\/N · Xᵀ·H_delta/);
  });

  test('the SVG chart has axes, labels and both curves', () => {
    const svg = readFileSync(plot, 'utf8');
    assert.match(svg, /^<svg /);
    assert.equal((svg.match(/<polyline /g) ?? []).length, 2);
    assert.match(svg, />epoch</);
    assert.match(svg, />loss \(cross-entropy\)</);
    assert.match(svg, />training loss</);
    assert.match(svg, />test loss</);
    // 100 points per curve.
    const first = /points="([^"]+)"/.exec(svg)![1];
    assert.equal(first.split(' ').length, 100);
  });
});

test('backprop train iris with no options prints test accuracy ≥ 0.93 and a confusion matrix', async () => {
  const r = await backprop(['train', 'iris', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const m = /^test +30 +[\d.]+ +([\d.]+)$/m.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.ok(Number(m[1]) >= 0.93, `test accuracy ${m[1]}`);
  assert.match(r.stdout, /confusion matrix \(test rows\):\nactual \\ predicted +setosa +versicolor +virginica\nsetosa +\d+ +\d+ +\d+/);
  assert.match(r.stdout, /not saved/);
  assert.equal(r.stderr, '');
});

test('backprop train digits with the issue\'s options reaches test accuracy ≥ 0.95', async () => {
  const args = ['train', 'digits', '--layers', '64', '--activation', 'relu', '--output-activation', 'softmax', '--loss', 'cross-entropy'];
  const r = await backprop([...args, '--optimizer', 'adam', '--epochs', '30', '--seed', '1', '--json', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const j = lastJSON(r.stdout);
  assert.ok(j.testAccuracy >= 0.95, `test accuracy ${j.testAccuracy}`);
  assert.equal(j.epochs, 30);
  assert.equal(r.stdout.trim().split('\n').length, 1);
});

test('a numeric target trains a regression and reports RMSE; xor trains on all four rows', async () => {
  const dir = tempDir();
  const csv = join(dir, 'line.csv');
  const rows = Array.from({ length: 40 }, (_, i) => `${i / 4},${(3 * (i / 4) + 7).toFixed(2)}`);
  (await import('node:fs')).writeFileSync(csv, ['x,y', ...rows].join('\n'));
  const [reg, xor] = await Promise.all([
    backprop(['train', csv, '--epochs', '150', '--json', '--quiet', '--out', join(dir, 'line.json')]),
    backprop(['train', 'xor', '--epochs', '200', '--json', '--quiet']),
  ]);
  assert.equal(reg.code, 0, reg.stderr);
  const j = lastJSON(reg.stdout);
  assert.equal(j.settings.kind, 'regression');
  assert.equal(j.settings.outputActivation, 'linear');
  assert.ok(j.testRmse < 1, `RMSE ${j.testRmse}`);
  assert.ok(existsSync(join(dir, 'line.json')));
  assert.equal(xor.code, 0, xor.stderr);
  const x = lastJSON(xor.stdout);
  assert.equal(x.trainAccuracy, 1);
  assert.equal(x.testAccuracy, null);
});
