// L1 and L2 regularisation beyond the engines' bits (test/conformance.test.ts) and the gradient
// check (test/gradient-check.test.ts): the loss each step reports, float32 networks, trainModel's
// settings in checkpoints and resuming, and the command line's flags, info and messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Network, parseCsv, parseTrainCheckpoint, trainCheckpointToText, Trainer, trainModel, type TrainCheckpoint } from '../src/index.js';
import { penaltyValue } from '../src/nn/penalty.js';
import { backprop, lastJSON, tempDir } from './cli-run.js';

const X = Array.from({ length: 24 }, (_, i) => [Math.sin(i), Math.cos(2 * i), (i % 5) / 5 - 0.4]);
const Y = X.map(([a, b]) => [a + b > 0 ? 1 : 0]);
const make = (dtype: 'float32' | 'float64' = 'float64') =>
  new Network({ inputs: 3, layers: [{ units: 5, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binary-cross-entropy', seed: 7, dtype });

test('each step reports its batch loss plus the penalty on the weights before the step, on both engines', () => {
  for (const engine of ['wasm', 'reference'] as const) {
    const plain = new Trainer(make(), X, Y, { batchSize: 8, optimizer: 'adam', engine, shuffle: false });
    const reg = new Trainer(make(), X, Y, { batchSize: 8, optimizer: 'adam', engine, shuffle: false, l1: 0.01, l2: 0.05 });
    const before = penaltyValue(reg.net.layers, { l1: 0.01, l2: 0.05 });
    assert.ok(before > 0);
    const a = plain.step();
    const b = reg.step();
    assert.equal(b.loss, a.loss + before, engine);
    assert.equal(reg.engine.kind, engine);
    // the steps differ by the penalty's gradient: the weights move towards 0
    const size = (net: Network) => net.layers.reduce((s, l) => s + Array.from(l.W.data).reduce((t, w) => t + w * w, 0), 0);
    for (let k = 0; k < 40; k++) {
      plain.step();
      reg.step();
    }
    assert.ok(size(reg.net) < size(plain.net), `${size(reg.net)} vs ${size(plain.net)}`);
  }
});

test('float32 networks take regularisation too, within float32 tolerance of float64', () => {
  const opts = { epochs: 30, batchSize: 6, learningRate: 0.2, l1: 0.003, l2: 0.03 } as const;
  const h64 = make('float64').fit(X, Y, opts);
  const h32 = make('float32').fit(X, Y, opts);
  const none32 = make('float32').fit(X, Y, { ...opts, l1: 0, l2: 0 });
  h32.loss.forEach((l, i) => assert.ok(Math.abs(l - h64.loss[i]) < 1e-4 * (1 + h64.loss[i]), `epoch ${i + 1}: ${l} vs ${h64.loss[i]}`));
  assert.ok(Math.abs(h32.loss[0] - none32.loss[0]) > 1e-3, 'the float32 loss includes the penalty');
});

test('options are checked and named: fit, the Trainer', () => {
  for (const bad of [-1, Number.NaN, Infinity]) {
    assert.throws(() => make().fit(X, Y, { l2: bad }), new RegExp(`^BackpropError: l2 must be a number ≥ 0 \\(0: no L2 regularisation\\), got ${bad}$`));
  }
  assert.throws(() => new Trainer(make(), X, Y, { l1: '0.1' as unknown as number }), /l1 must be a number ≥ 0 \(0: no L1 regularisation\), got '0\.1'/);
});

const xorCsv = parseCsv(
  'a,b,c,label\n' + Array.from({ length: 40 }, (_, i) => `${Math.sin(i).toFixed(3)},${Math.cos(3 * i).toFixed(3)},${(i % 4) / 4},${Math.sin(i) * Math.cos(3 * i) > 0 ? 'yes' : 'no'}`).join('\n') + '\n',
  'xorish.csv',
);

test('trainModel keeps l1 and l2 in its settings and checkpoints; a resumed run ends as the whole run, and other settings are refused', () => {
  const options = { epochs: 6, seed: 2, batchSize: 8, l1: 0.002, l2: 0.02 };
  const whole = trainModel(xorCsv, options);
  assert.equal(whole.settings.l1, 0.002);
  assert.equal(whole.settings.l2, 0.02);
  let saved: TrainCheckpoint | undefined;
  let batches = 0;
  trainModel(xorCsv, { ...options, checkpoint: { everyBatches: 1000, save: (c) => void (saved = c) }, shouldStop: () => ++batches === 9 });
  const text = trainCheckpointToText(saved!);
  const cp = parseTrainCheckpoint(text, 'cp.json');
  assert.equal(cp.settings.l2, 0.02);
  const resumed = trainModel(xorCsv, { ...options, resume: cp });
  assert.deepEqual(resumed.model.network.toJSON(), whole.model.network.toJSON());
  assert.throws(() => trainModel(xorCsv, { ...options, l2: 0.03, resume: cp }), /other settings: l2 0\.03 \(the checkpoint's: 0\.02\)/);
  assert.throws(() => trainModel(xorCsv, { ...options, l1: 0, resume: cp }), /other settings: l1 not set \(the checkpoint's: 0\.002\)/);
  // a run without regularisation has none in its settings, so its checkpoints read as before
  assert.equal('l1' in trainModel(xorCsv, { epochs: 1 }).settings, false);
});

test('the PyTorch and TF.js folders carry l1 and l2 in their model metadata, and bring them back', async () => {
  const { toPyTorch, fromPyTorch } = await import('../src/pytorch.js');
  const { toTFJS, fromTFJS } = await import('../src/tfjs.js');
  const { model } = trainModel(xorCsv, { epochs: 2, seed: 2, l1: 0.004, l2: 0.02 });
  const pt = toPyTorch(model);
  const tf = toTFJS(model);
  for (const back of [fromPyTorch(pt['model.json'], pt['model.safetensors']), fromTFJS(tf['model.json'], () => tf['model.weights.bin'])]) {
    assert.equal(back.file.training.l1, 0.004);
    assert.equal(back.file.training.l2, 0.02);
  }
});

test('backprop train --l1 --l2: in the settings line and the JSON, kept in the model, shown by info; bad values named', async () => {
  const dir = tempDir();
  const model = join(dir, 'iris.json');
  const r = await backprop(['train', 'iris', '--epochs', '4', '--l1', '0.001', '--l2', '0.01', '--out', model, '--json', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const json = lastJSON(r.stdout);
  assert.equal(json.settings.l1, 0.001);
  assert.equal(json.settings.l2, 0.01);
  assert.equal(JSON.parse(readFileSync(model, 'utf8')).training.l2, 0.01);
  const info = await backprop(['info', model]);
  assert.match(info.stdout, /^regularisation: L1 0\.001·Σ\|W\| \+ L2 0\.01\/2·ΣW² over the weights \(not the biases\)/m);
  const human = await backprop(['train', 'xor', '--epochs', '2', '--l2', '0.1', '--quiet']);
  assert.match(human.stdout, /seed 1; regularisation L2 0\.1$/m);
  for (const [flag, raw] of [['--l2', '-1'], ['--l1', 'much']]) {
    const bad = await backprop(['train', 'iris', flag, raw]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, `backprop: ${flag} must be a number ≥ 0, such as 0.001 (0: none), got '${raw}'\n`);
  }
});
