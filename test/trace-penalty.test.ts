// The trace with regularisation shows the update a training step applies: each W_update with
// the penalty's gradient (l2·W + l1·sign(W)) added, and the loss with the penalty, to the bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fit, IRIS3, Network, slidesIrisNetwork, trace, Trainer } from '../src/index.js';
import { penaltyValue } from '../src/nn/penalty.js';
import { join } from 'node:path';
import { backprop, tempDir } from './cli-run.js';

const X = [
  [0.2, -1.1, 0.7],
  [1.5, 0.3, -0.4],
  [-0.6, 0.8, 1.2],
  [0.9, -0.2, -1.3],
  [-1.4, 1.6, 0.1],
];
const Y = [[1, 0], [0, 1], [1, 0], [0, 1], [0, 1]];

function network(loss = 'half-mean-over-samples'): Network {
  return new Network({
    inputs: 3,
    layers: [{ units: 4, activation: 'tanh' }, { units: 3, activation: 'sigmoid' }, { units: 2, activation: 'sigmoid' }],
    loss,
    seed: 7,
  });
}

const weights = (net: Network) => net.layers.map((l) => l.W.toArray());
const biases = (net: Network) => net.layers.map((l) => Array.from(l.b));

for (const engine of ['reference', 'auto'] as const) {
  test(`with l1 and l2, the traced W_update is what one step of fit (${engine} engine) subtracts, and the traced loss its loss`, () => {
    const l1 = 0.02;
    const l2 = 0.3;
    const lr = 0.5;
    const net = network();
    const t = trace(net, X, Y, { l1, l2 });
    const before = weights(net);
    const plain = trace(net, X, Y);
    assert.deepEqual(weights(net), before, 'trace leaves the weights as they are');

    const history = fit(net, X, Y, { epochs: 1, batchSize: 'full', optimizer: 'sgd', learningRate: lr, l1, l2, engine });
    net.layers.forEach((_, i) => {
      const update = t.get(`W${i + 1}_update`)!;
      const want = before[i].map((row, r) => row.map((w, c) => w - lr * update[r][c]));
      assert.deepEqual(weights(net)[i], want, `W${i + 1} after the step`);
      // the penalty is in it: without it the update differs by l2·W + l1·sign(W)
      const free = plain.get(`W${i + 1}_update`)!;
      const w = before[i];
      const r = 1;
      const c = 0;
      const sign = Math.sign(w[r][c]);
      assert.ok(Math.abs(update[r][c] - (free[r][c] + l2 * w[r][c] + l1 * sign)) < 1e-15, `W${i + 1}_update[2,1]`);
      assert.notEqual(update[r][c], free[r][c]);
    });
    assert.equal(t.loss.value, history.loss[0]);
    const penalty = penaltyValue(network().layers, { l1, l2 });
    assert.ok(Math.abs(t.loss.value - (plain.loss.value + penalty)) < 1e-15);
  });
}

test('the biases\' updates carry no penalty, and a mini-batch step of the Trainer subtracts the traced W_update of its rows', () => {
  const l2 = 0.1;
  const lr = 0.2;
  const net = network('mean-over-elements');
  const trainer = new Trainer(net, X, Y, { batchSize: 2, learningRate: lr, optimizer: 'sgd', l2, engine: 'reference' });
  trainer.step(); // a step into the epoch: the next batch is rows of the shuffled order
  const rows = Array.from(trainer.nextBatchRows());
  assert.equal(rows.length, 2);
  const t = trace(net, rows.map((i) => X[i]), rows.map((i) => Y[i]), { l2 });
  const plain = trace(net, rows.map((i) => X[i]), rows.map((i) => Y[i]));
  net.layers.forEach((_, i) => assert.deepEqual(t.get(`b${i + 1}_update`), plain.get(`b${i + 1}_update`)));
  const [W, b] = [weights(net), biases(net)];
  const info = trainer.step();
  net.layers.forEach((l, i) => {
    const update = t.get(`W${i + 1}_update`)!;
    assert.deepEqual(weights(net)[i], W[i].map((row, r) => row.map((w, c) => w - lr * update[r][c])));
    assert.deepEqual(Array.from(l.b), b[i].map((v, c) => v - lr * t.get(`b${i + 1}_update`)![0][c]));
  });
  assert.equal(t.loss.value, info.loss);
});

test('the formulas say so: W_update with + l2·W + l1·sign(W), the loss with + l2/2·ΣW² + l1·Σ|W|; none without a penalty', () => {
  const net = slidesIrisNetwork(IRIS3, 'half-mean-over-samples');
  const t = trace(net, IRIS3.X, IRIS3.Y, { l1: 0.01, l2: 0.003 });
  const f = (name: string) => t.entries.find((e) => e.name === name)!.formula;
  assert.match(f('W1_update'), /^W1_update = 1\/N · Xᵀ·H_delta \+ l2·W1 \+ l1·sign\(W1\) {3}\(1\/N = 0\.333\d*, l2 = 0\.003, l1 = 0\.01\)$/);
  assert.match(f('W2_update'), /^W2_update = 1\/N · H_outᵀ·O_delta \+ l2·W2 \+ l1·sign\(W2\) /);
  assert.match(t.loss.formula, /\+ l2\/2·ΣW² \+ l1·Σ\|W\| over every layer's weights, not the biases \(l2 = 0\.003, l1 = 0\.01\)$/);
  const onlyL2 = trace(net, IRIS3.X, IRIS3.Y, { l2: 0.003 });
  assert.match(onlyL2.entries.find((e) => e.name === 'W1_update')!.formula, /H_delta \+ l2·W1 {3}\(1\/N = [\d.]+, l2 = 0\.003\)$/);
  const none = trace(net, IRIS3.X, IRIS3.Y, { l1: 0, l2: 0 });
  const plain = trace(net, IRIS3.X, IRIS3.Y);
  assert.deepEqual(none.entries, plain.entries);
  assert.deepEqual(none.loss, plain.loss);
  assert.doesNotMatch(plain.loss.formula, /l2/);
  assert.throws(() => trace(net, IRIS3.X, IRIS3.Y, { l2: -1 }), /l2 must be a number ≥ 0/);
});

test('backprop trace --l2 --l1 prints the penalised W_update and loss; a bad value is named', async () => {
  const r = await backprop(['trace', '--example', 'iris3', '--l2', '0.003', '--l1', '0.01', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  const t = trace(slidesIrisNetwork(IRIS3), IRIS3.X, IRIS3.Y, { l1: 0.01, l2: 0.003 });
  assert.deepEqual(json.W1_update, t.get('W1_update'));
  assert.equal(json.loss.value, t.loss.value);
  assert.match(json.formulas.W2_update, /\+ l2·W2 \+ l1·sign\(W2\)/);
  const bad = await backprop(['trace', '--example', 'iris3', '--l2', '-0.1']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--l2/);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
});

test('backprop trace of a model trained with --l2 shows its l2 by default; --l2 0 shows the update without it', async () => {
  const model = join(tempDir(), 'xor-l2.json');
  const trained = await backprop(['train', 'xor', '--l2', '0.05', '--epochs', '3', '--out', model, '--quiet']);
  assert.equal(trained.code, 0, trained.stderr);
  const own = await backprop(['trace', model, 'xor', '--rows', '2', '--json']);
  assert.equal(own.code, 0, own.stderr);
  const off = await backprop(['trace', model, 'xor', '--rows', '2', '--json', '--l2', '0']);
  const [a, b] = [JSON.parse(own.stdout), JSON.parse(off.stdout)];
  assert.match(a.formulas.W1_update, /\+ l2·W1 .*l2 = 0\.05\)$/);
  assert.doesNotMatch(b.formulas.W1_update, /l2/);
  const W1: number[][] = a.W1;
  W1.forEach((row, r) => row.forEach((w, c) => assert.ok(Math.abs(a.W1_update[r][c] - (b.W1_update[r][c] + 0.05 * w)) < 1e-12)));
  assert.ok(a.loss.value > b.loss.value);
  assert.deepEqual(a.b1_update, b.b1_update);
});
