// Training behaviour: XOR as in the slides, linear regression, the three forms of gradient
// descent, reproducibility, the optimizers, schedules and stopping rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackpropError, DivergedError, Network, XOR, type OptimizerName } from '../src/index.js';

function xorNet(seed?: number) {
  return new Network({ inputs: 2, layers: [{ units: 2, activation: 'sigmoid' }, { units: 1, activation: 'sigmoid' }], loss: 'half-sum-of-squares', seed });
}
const converged = (out: number[][]) => out[0][0] < 0.1 && out[1][0] > 0.9 && out[2][0] > 0.9 && out[3][0] < 0.1;

test('XOR 2-2-1, lr 0.5, full batch: the default seed converges by 10,000 epochs', () => {
  const net = xorNet();
  const before = net.predict(XOR.X);
  assert.ok(!converged(before));
  const h = net.fit(XOR.X, XOR.Y, { epochs: 10_000, learningRate: 0.5 });
  assert.equal(h.epochs, 10_000);
  const out = net.predict(XOR.X);
  assert.ok(converged(out), JSON.stringify(out));
  assert.ok(h.loss[h.loss.length - 1] < h.loss[0] / 10);
  assert.equal(h.accuracy![h.accuracy!.length - 1], 1);
});

test('XOR: at least 15 of seeds 1–20 converge by 10,000 epochs', () => {
  let ok = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const net = xorNet(seed);
    net.fit(XOR.X, XOR.Y, { epochs: 10_000, learningRate: 0.5 });
    if (converged(net.predict(XOR.X))) ok++;
  }
  assert.ok(ok >= 15, `${ok} of 20 seeds converged`);
});

test('linear regression: one linear neuron with bias and the ΣΣ loss reaches the least-squares line', () => {
  const xs = Array.from({ length: 20 }, (_, i) => i / 19);
  const ys = xs.map((x, i) => 2.5 * x - 0.7 + 0.1 * Math.sin(7 * i));
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b) / n;
  const my = ys.reduce((a, b) => a + b) / n;
  const m = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  const b = my - m * mx;
  const net = new Network({ inputs: 1, layers: [{ units: 1, activation: 'linear' }], loss: 'sum-of-squares', seed: 4 });
  net.fit(xs.map((x) => [x]), ys.map((y) => [y]), { epochs: 5000, learningRate: 0.02 });
  const json = net.toJSON().layers[0];
  assert.ok(Math.abs(json.weights[0][0] - m) < 1e-9, `m = ${json.weights[0][0]}, expected ${m}`);
  assert.ok(Math.abs(json.biases![0] - b) < 1e-9, `b = ${json.biases![0]}, expected ${b}`);
});

const irisLike = () => {
  const X: number[][] = [];
  const Y: number[][] = [];
  for (let i = 0; i < 30; i++) {
    const k = i % 3;
    X.push([k + 0.3 * Math.sin(i), -k + 0.3 * Math.cos(3 * i), 0.5 * Math.sin(i * i)]);
    Y.push([0, 1, 2].map((j) => (j === k ? 1 : 0)));
  }
  return { X, Y };
};
const classifier = (seed = 1) =>
  new Network({ inputs: 3, layers: [{ units: 5, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'cross-entropy', seed });

test('mini-batch with batch size N equals batch gradient descent, bit for bit', () => {
  const { X, Y } = irisLike();
  const a = classifier();
  const b = classifier();
  a.fit(X, Y, { epochs: 50, learningRate: 0.3, batchSize: 'full' });
  b.fit(X, Y, { epochs: 50, learningRate: 0.3, batchSize: X.length, shuffle: true });
  assert.deepEqual(a.toJSON(), b.toJSON());
});

test('same seed gives identical weights; a different seed differs; stochastic differs from batch', () => {
  const { X, Y } = irisLike();
  const run = (seed: number, batchSize: number | 'full') => {
    const net = classifier(seed);
    net.fit(X, Y, { epochs: 20, learningRate: 0.1, batchSize, optimizer: 'adam' });
    return JSON.stringify(net.toJSON().layers);
  };
  assert.equal(run(7, 4), run(7, 4));
  assert.notEqual(run(7, 4), run(8, 4));
  assert.notEqual(run(7, 1), run(7, 'full'));
});

test('stochastic and mini-batch descent take one step per batch, the last batch smaller', () => {
  const { X, Y } = irisLike();
  const sizes: number[] = [];
  classifier().fit(X, Y, { epochs: 1, batchSize: 8, onBatchEnd: (b) => void sizes.push(b.size) });
  assert.deepEqual(sizes, [8, 8, 8, 6]);
  let steps = 0;
  classifier().fit(X, Y, { epochs: 2, batchSize: 1, onBatchEnd: () => void steps++ });
  assert.equal(steps, 60);
});

test('every optimizer lowers the loss', () => {
  const { X, Y } = irisLike();
  const rates: Record<OptimizerName, number> = { sgd: 0.5, momentum: 0.1, nesterov: 0.1, rmsprop: 0.01, adam: 0.01 };
  for (const name of Object.keys(rates) as OptimizerName[]) {
    const net = classifier(2);
    const h = net.fit(X, Y, { epochs: 60, learningRate: rates[name], optimizer: name, batchSize: 10 });
    assert.ok(h.loss[h.loss.length - 1] < 0.5 * h.loss[0], `${name}: ${h.loss[0]} → ${h.loss[h.loss.length - 1]}`);
  }
});

test('momentum: the first step equals plain gradient descent, later steps differ', () => {
  const { X, Y } = irisLike();
  const a = classifier();
  const b = classifier();
  a.fit(X, Y, { epochs: 1, learningRate: 0.1, optimizer: 'sgd' });
  b.fit(X, Y, { epochs: 1, learningRate: 0.1, optimizer: { name: 'momentum', momentum: 0.9 } });
  assert.deepEqual(a.toJSON().layers, b.toJSON().layers);
  a.fit(X, Y, { epochs: 1, learningRate: 0.1, optimizer: 'sgd' });
  b.fit(X, Y, { epochs: 1, learningRate: 0.1, optimizer: 'momentum' }); // a fresh optimizer: no velocity carried
  assert.deepEqual(a.toJSON().layers, b.toJSON().layers);
});

test('adam: the first step moves each weight by about the learning rate', () => {
  const { X, Y } = irisLike();
  const net = classifier();
  const before = net.toJSON().layers[0].weights.flat();
  net.fit(X, Y, { epochs: 1, learningRate: 0.01, optimizer: 'adam' });
  const after = net.toJSON().layers[0].weights.flat();
  for (let i = 0; i < before.length; i++) assert.ok(Math.abs(Math.abs(after[i] - before[i]) - 0.01) < 1e-6);
});

test('learning-rate schedules: step and exponential', () => {
  const { X, Y } = irisLike();
  const h1 = classifier().fit(X, Y, { epochs: 5, learningRate: 0.4, schedule: { type: 'step', every: 2, factor: 0.5 } });
  assert.deepEqual(h1.learningRate, [0.4, 0.4, 0.2, 0.2, 0.1]);
  const h2 = classifier().fit(X, Y, { epochs: 3, learningRate: 1, schedule: { type: 'exponential', rate: 0.9 } });
  assert.deepEqual(h2.learningRate.map((v) => +v.toFixed(12)), [1, 0.9, 0.81]);
});

test('stop at an error threshold', () => {
  const h = xorNet().fit(XOR.X, XOR.Y, { epochs: 10_000, learningRate: 0.5, errorThreshold: 0.05 });
  assert.equal(h.stopReason, 'threshold');
  assert.ok(h.epochs < 10_000);
  assert.ok(h.loss[h.epochs - 1] <= 0.05 && h.loss[h.epochs - 2] > 0.05);
});

test('validation split, early stopping with the best weights restored', () => {
  const { X, Y } = irisLike();
  const net = classifier();
  const h = net.fit(X, Y, { epochs: 2000, learningRate: 0.05, optimizer: 'adam', validationSplit: 0.3, earlyStopping: { patience: 5, minDelta: 1e-3 } });
  assert.equal(h.valLoss!.length, h.epochs);
  assert.equal(h.valAccuracy!.length, h.epochs);
  assert.equal(h.stopReason, 'early-stopping');
  assert.ok(h.bestEpoch! <= h.epochs - 5);
  const best = h.valLoss![h.bestEpoch! - 1];
  // no later epoch improved on the kept one by more than minDelta
  for (const v of h.valLoss!.slice(h.bestEpoch!)) assert.ok(v > best - 1e-3);
  assert.ok(best < h.valLoss![0]);
});

test('callbacks see every epoch and can stop training', () => {
  const seen: number[] = [];
  const h = xorNet().fit(XOR.X, XOR.Y, { epochs: 100, onEpochEnd: (e) => (seen.push(e.epoch), e.epoch < 7) });
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(h.stopReason, 'callback');
  assert.equal(h.loss.length, 7);
});

test('fitting through a step layer stops with the slides’ explanation', () => {
  const net = new Network({ inputs: 2, layers: [{ units: 2, activation: 'step' }, { units: 1, activation: 'sigmoid' }] });
  assert.deepEqual(net.predict(XOR.X).length, 4); // forward works
  assert.throws(
    () => net.fit(XOR.X, XOR.Y, { epochs: 1 }),
    (e: unknown) => e instanceof BackpropError && e.code === 'untrainable' && /layer 1 uses the step activation/.test(e.message) && /derivative is 0/.test(e.message) && /sigmoid/.test(e.message),
  );
});

test('a diverging run stops in the batch where the loss turns non-finite, keeping the last good weights', () => {
  const net = new Network({ inputs: 1, layers: [{ units: 1, activation: 'linear' }], loss: 'sum-of-squares' });
  const X = [[1e150], [2e150]];
  const Y = [[1], [2]];
  let good = '';
  assert.throws(
    () => net.fit(X, Y, { epochs: 50, learningRate: 1, onEpochEnd: () => void (good = JSON.stringify(net.toJSON())) }),
    (e: unknown) => e instanceof DivergedError && /epoch \d+, batch 1/.test(e.message) && /lower learning rate/.test(e.message),
  );
  for (const w of net.toJSON().layers[0].weights.flat()) assert.ok(Number.isFinite(w));
  if (good) assert.equal(JSON.stringify(net.toJSON()), good);
});

test('clear errors for wrong shapes, option values and NaN inputs', () => {
  const net = xorNet();
  const bad = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof BackpropError && re.test(e.message));
  bad(() => net.predict([[1, 2, 3]]), /X has 3 columns, but the network has 2 inputs/);
  bad(() => net.predict([[1, 2], [3]]), /row 2 of X has 1 values, expected 2/);
  bad(() => net.fit(XOR.X, [[0], [1]]), /X has 4 rows but Y has 2/);
  bad(() => net.fit(XOR.X, XOR.Y.map((y) => [...y, 0])), /Y has 2 columns, but the network has 1 outputs/);
  bad(() => net.predict([[0, NaN]]), /NaN at row 1, column 2/);
  bad(() => net.fit([[0, 1], [1, Infinity]], [[1], [1]]), /Infinity at row 2, column 2/);
  bad(() => net.fit(XOR.X, XOR.Y, { epochs: -1 }), /epochs must be a whole number ≥ 0, got -1/);
  bad(() => net.fit(XOR.X, XOR.Y, { learningRate: 0 }), /learningRate must be a positive number, got 0/);
  bad(() => net.fit(XOR.X, XOR.Y, { batchSize: 0 }), /batchSize must be 'full' or a whole number ≥ 1, got 0/);
  bad(() => net.fit(XOR.X, XOR.Y, { validationSplit: 1.5 }), /validationSplit must be between 0 and 1/);
  bad(() => net.fit(XOR.X, XOR.Y, { optimizer: 'adamw' as OptimizerName }), /unknown optimizer 'adamw'/);
  bad(() => new Network({ inputs: 2, layers: [{ units: 1, activation: 'swish' }] }), /unknown activation 'swish'/);
  bad(() => new Network({ inputs: 2, layers: [{ units: 1 }], loss: 'hinge' }), /unknown loss 'hinge'/);
  bad(() => new Network({ inputs: 2, layers: [{ units: 3, activation: 'linear' }], loss: 'cross-entropy' }), /cross-entropy loss needs a softmax output layer, but the output activation is linear/);
  bad(() => new Network({ inputs: 0, layers: [{ units: 1 }] }), /inputs must be a positive whole number/);
  bad(() => new Network({ inputs: 2, layers: [{ units: 2, weights: [[1, 2]] }] }), /layer 1: weights are 1×2, expected 2×2/);
});

test('early stopping restores the weights of the best epoch (explicit validation data)', () => {
  const { X, Y } = irisLike();
  const VX = X.map((r) => r.map((v) => v * 1.3 + 0.2));
  const net = classifier(5);
  const h = net.fit(X, Y, { epochs: 3000, learningRate: 0.05, optimizer: 'adam', validationData: [VX, Y], earlyStopping: 4 });
  assert.equal(h.stopReason, 'early-stopping');
  const after = net.evaluate(VX, Y).loss;
  assert.ok(Math.abs(after - h.valLoss![h.bestEpoch! - 1]) < 1e-12, `${after} vs ${h.valLoss![h.bestEpoch! - 1]}`);
});

test('evaluate: loss, accuracy, confusion matrix, precision and recall', () => {
  const net = new Network({ inputs: 1, bias: false, loss: 'mean-over-elements', layers: [{ units: 2, activation: 'linear', weights: [[1, -1]] }] });
  // predicted class: 0 when x > 0, else 1
  const X = [[1], [2], [-1], [3], [-2]];
  const Y = [[1, 0], [1, 0], [1, 0], [0, 1], [0, 1]];
  const e = net.evaluate(X, Y);
  assert.equal(e.accuracy, 3 / 5);
  assert.deepEqual(e.confusion, [[2, 1], [1, 1]]);
  assert.deepEqual(e.precision, [2 / 3, 1 / 2]);
  assert.deepEqual(e.recall, [2 / 3, 1 / 2]);
  assert.equal(e.lossName, 'mean-over-elements');
  const out = net.predict(X);
  const expected = out.flat().reduce((s, v, i) => s + (v - Y.flat()[i]) ** 2, 0) / 10;
  assert.ok(Math.abs(e.loss - expected) < 1e-12);
});
