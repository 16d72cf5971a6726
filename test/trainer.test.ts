// The Trainer: fit is a loop over it, so its steps, epochs and states must give fit's bits on
// both engines; nextBatchRows names the rows a step takes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, Trainer, fit, optimizer, trace } from '../src/index.js';
import type { EngineName } from '../src/engine/engine.js';

const X = Array.from({ length: 23 }, (_, i) => [Math.sin(i), Math.cos(2 * i), (i % 4) / 4]);
const Y = X.map(([a, b]) => [a * b > 0 ? 1 : 0, a * b > 0 ? 0 : 1]);
const make = () => new Network({ inputs: 3, layers: [{ units: 5, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'cross-entropy', seed: 3 });
const options = { batchSize: 5, learningRate: 0.05, optimizer: 'adam' } as const;
const weights = (net: Network) => net.params().flatMap((p) => Array.from(p.value));

for (const engine of ['wasm', 'reference'] as EngineName[]) {
  test(`${engine}: single steps, whole epochs and fit give the same weights, generator and optimizer state`, () => {
    const a = make();
    const stepper = new Trainer(a, X, Y, { ...options, engine });
    for (let k = 0; k < 7 * stepper.batches; k++) stepper.step();
    const b = make();
    const epochs = new Trainer(b, X, Y, { ...options, engine });
    for (let k = 0; k < 7; k++) epochs.epoch();
    const c = make();
    const adam = optimizer('adam');
    fit(c, X, Y, { ...options, optimizer: adam, epochs: 7, engine });
    assert.deepEqual(weights(a), weights(c));
    assert.deepEqual(weights(b), weights(c));
    assert.deepEqual(a.rng.getState(), c.rng.getState());
    assert.deepEqual(stepper.optimizer.getState(), adam.getState());
    assert.equal(stepper.currentEpoch, 8);
    assert.equal(epochs.lastEpoch!.loss, stepper.lastEpoch!.loss);
  });

  test(`${engine}: a state taken mid-epoch and restored into a new trainer goes on as if nothing stopped`, () => {
    const whole = make();
    const t = new Trainer(whole, X, Y, { ...options, engine });
    for (let k = 0; k < 13; k++) t.step();
    const saved = JSON.parse(JSON.stringify(t.state()));
    for (let k = 0; k < 9; k++) t.step();
    const resumed = make();
    const r = new Trainer(resumed, X, Y, { ...options, engine });
    r.restore(saved);
    assert.equal(r.currentEpoch, 3);
    assert.equal(r.batch, 3);
    for (let k = 0; k < 9; k++) r.step();
    assert.deepEqual(weights(resumed), weights(whole));
    assert.deepEqual(r.state(), t.state());
  });

  test(`${engine}: nextBatchRows names the rows the next step takes, and draws nothing`, () => {
    const net = new Network({ inputs: 3, layers: [{ units: 4, activation: 'relu' }, { units: 2, activation: 'linear' }], loss: 'mse', seed: 5 });
    const t = new Trainer(net, X, Y, { batchSize: 4, learningRate: 0.1, engine });
    for (let k = 0; k < 9; k++) {
      const rng = net.rng.getState();
      const rows = Array.from(t.nextBatchRows());
      assert.deepEqual(net.rng.getState(), rng);
      const before = weights(net);
      const view = trace(net, rows.map((i) => X[i]), rows.map((i) => Y[i]));
      t.step();
      const updates = net.params().flatMap((p) => view.get(`${p.name}_update`)!.flat());
      assert.deepEqual(weights(net), before.map((w, i) => w - 0.1 * updates[i]), `step ${k + 1}`);
    }
  });
}

test("a callback that changes the weights between single steps is seen by the kept engine", () => {
  const run = (engine: EngineName) => {
    const net = make();
    const t = new Trainer(net, X, Y, { ...options, engine });
    for (let k = 0; k < 12; k++) {
      t.step();
      if (k === 4) net.layers[0].W.data[2] += 0.5;
    }
    return weights(net);
  };
  assert.deepEqual(run('wasm'), run('reference'));
});

test("the deprecated compiled: false is engine 'reference'; engine 'wasm' refuses what it cannot run", () => {
  const t = new Trainer(make(), X, Y, { ...options, compiled: false });
  assert.equal(t.engine.kind, 'reference');
  assert.equal(new Trainer(make(), X, Y, options).engine.kind, 'wasm');
  const f32 = new Network({ inputs: 3, layers: [{ units: 2, activation: 'softmax' }], loss: 'cross-entropy', dtype: 'float32' });
  assert.throws(() => new Trainer(f32, X, Y, { engine: 'wasm' }).engine, /engine 'wasm' cannot run this training: it needs float64 weights/);
  assert.equal(new Trainer(f32, X, Y).engine.kind, 'reference');
});

for (const rows of [X.length, 17]) {
  test(`two trainers of one network on different data (${rows} rows and ${X.length}) share its kept engine without mixing their data`, () => {
    const other = X.slice(0, rows).map(([a, b, c]) => [b, c, a]);
    const run = (engine: EngineName) => {
      const net = make();
      const t1 = new Trainer(net, X, Y, { ...options, engine });
      const t2 = new Trainer(net, other, Y.slice(0, rows), { ...options, engine });
      for (let k = 0; k < 6; k++) {
        t1.step();
        t2.step();
      }
      if (engine === 'wasm') assert.equal(t1.engine, t2.engine);
      return weights(net);
    };
    assert.deepEqual(run('wasm'), run('reference'));
  });
}
