// The generated small-network pass must compute exactly what the matrix kernels compute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LOSS_NAMES, Matrix, Network, type LossName } from '../src/index.js';
import { compilePass, COMPILE_MAX_WEIGHTS } from '../src/nn/compile.js';

const ACTS = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'linear', 'softmax', 'step'] as const;
const outputsFor = (loss: LossName) => (loss === 'cross-entropy' ? ['softmax'] : loss === 'binary-cross-entropy' ? ['sigmoid'] : ['sigmoid', 'tanh', 'linear', 'softmax', 'relu']);

const netArb = fc
  .record({
    inputs: fc.integer({ min: 1, max: 5 }),
    hidden: fc.array(fc.record({ units: fc.integer({ min: 1, max: 6 }), activation: fc.constantFrom(...ACTS) }), { maxLength: 3 }),
    outputs: fc.integer({ min: 2, max: 4 }),
    loss: fc.constantFrom(...LOSS_NAMES),
    pick: fc.nat(),
    bias: fc.boolean(),
    rows: fc.integer({ min: 1, max: 9 }),
    seed: fc.integer({ min: 1, max: 1e6 }),
  })
  .map((c) => ({ ...c, out: outputsFor(c.loss)[c.pick % outputsFor(c.loss).length] }));

test('the compiled pass fills every buffer and gradient with the same bits as the matrix kernels', () => {
  fc.assert(
    fc.property(netArb, (c) => {
      const make = () => new Network({ inputs: c.inputs, loss: c.loss, bias: c.bias, seed: c.seed, init: 'uniform', initRange: 1.5, layers: [...c.hidden, { units: c.outputs, activation: c.out }] });
      const a = make();
      const b = make();
      assert.ok(compilePass(a.layers, a.loss), 'small networks compile');
      const X = new Matrix(c.rows, c.inputs);
      const Y = new Matrix(c.rows, c.outputs);
      let s = c.seed;
      const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      X.data.forEach((_, i) => (X.data[i] = 4 * r() - 2));
      Y.data.forEach((_, i) => (Y.data[i] = c.loss === 'cross-entropy' ? 0 : r()));
      if (c.loss === 'cross-entropy') for (let i = 0; i < c.rows; i++) Y.data[i * c.outputs + (i % c.outputs)] = 1;
      const la = a.trainingPass(X, Y, true);
      const lb = b.trainingPass(X, Y, false);
      assert.equal(la, lb);
      a.params().forEach((p, i) => assert.deepEqual(p.grad, b.params()[i].grad, p.name));
      assert.deepEqual(a.lastOutput(c.rows).data, b.lastOutput(c.rows).data);
    }),
    { numRuns: 300 },
  );
});

test('training with the compiled pass gives the same weights, bit for bit, as without', () => {
  const make = () => new Network({ inputs: 4, layers: [{ units: 16 }, { units: 3 }], seed: 3 });
  const X = Array.from({ length: 30 }, (_, i) => [Math.sin(i), Math.cos(i), Math.sin(2 * i), Math.cos(3 * i)]);
  const Y = X.map((_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0)));
  const a = make();
  const b = make();
  // (a callback after every batch keeps fit on the generated pass rather than the WebAssembly kernel)
  a.fit(X, Y, { epochs: 50, learningRate: 0.5, batchSize: 7, optimizer: 'momentum', onBatchEnd: () => undefined });
  b.fit(X, Y, { epochs: 50, learningRate: 0.5, batchSize: 7, optimizer: 'momentum', compiled: false });
  assert.deepEqual(a.toJSON(), b.toJSON());
});

test('networks above the size limit use the matrix kernels', () => {
  const big = new Network({ inputs: 64, layers: [{ units: 32 }, { units: 10 }] });
  assert.ok(64 * 32 + 32 * 10 > COMPILE_MAX_WEIGHTS);
  assert.equal(compilePass(big.layers, big.loss), undefined);
});
