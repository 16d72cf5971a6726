// Stopping and resuming: a resumed run ends bitwise identical to one that never stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, type Checkpoint, type FitOptions } from '../src/index.js';

const data = () => {
  const X: number[][] = [];
  const Y: number[][] = [];
  for (let i = 0; i < 45; i++) {
    const k = i % 3;
    X.push([k + 0.4 * Math.sin(i), 0.5 * Math.cos(2 * i) - k]);
    Y.push([0, 1, 2].map((j) => (j === k ? 1 : 0)));
  }
  return { X, Y };
};
const net = () => new Network({ inputs: 2, layers: [{ units: 6, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'cross-entropy', seed: 11 });
const options: FitOptions = { epochs: 12, batchSize: 8, optimizer: 'adam', learningRate: 0.02, validationSplit: 0.2, earlyStopping: { patience: 50 } };

for (const stopAfter of [1, 5, 6, 13, 30]) {
  test(`stopped after ${stopAfter} batches and resumed from the checkpoint: bitwise the same weights and history`, () => {
    const { X, Y } = data();
    const a = net();
    const ha = a.fit(X, Y, options);

    let saved: string | undefined;
    let batches = 0;
    const b = net();
    const hb1 = b.fit(X, Y, {
      ...options,
      checkpoint: { everyEpochs: 100, save: (c) => void (saved = JSON.stringify(c)) },
      shouldStop: () => ++batches === stopAfter,
    });
    assert.equal(hb1.stopReason, 'interrupted');
    assert.ok(saved, 'a checkpoint was saved on interruption');

    const c = net(); // a fresh process would rebuild the network from the same options
    const hc = c.fit(X, Y, { ...options, resume: JSON.parse(saved!) as Checkpoint });
    assert.deepEqual(c.toJSON(), a.toJSON());
    assert.deepEqual(hc.loss, ha.loss);
    assert.deepEqual(hc.valLoss, ha.valLoss);
    assert.equal(hc.stopReason, 'epochs');
  });
}

test('periodic checkpoints every N batches; resuming from any of them gives the same end', () => {
  const { X, Y } = data();
  const a = net();
  a.fit(X, Y, options);
  const saved: string[] = [];
  net().fit(X, Y, { ...options, checkpoint: { everyBatches: 7, save: (c) => void saved.push(JSON.stringify(c)) } });
  assert.ok(saved.length >= 8, `${saved.length} checkpoints`);
  for (const s of [saved[0], saved[3], saved[saved.length - 1]]) {
    const c = net();
    c.fit(X, Y, { ...options, resume: JSON.parse(s) });
    assert.deepEqual(c.toJSON(), a.toJSON());
  }
});

test('a checkpoint from another network shape or optimizer is refused', () => {
  const { X, Y } = data();
  let saved: Checkpoint | undefined;
  net().fit(X, Y, { ...options, epochs: 1, checkpoint: { everyEpochs: 1, save: (c) => void (saved = c) } });
  const other = new Network({ inputs: 2, layers: [{ units: 5 }, { units: 3, activation: 'softmax' }], loss: 'cross-entropy' });
  assert.throws(() => other.fit(X, Y, { ...options, resume: saved }), /another shape/);
  assert.throws(() => net().fit(X, Y, { ...options, optimizer: 'sgd', resume: saved }), /used the adam optimizer, not sgd/);
});
