// The forward pass alone (src/engine/forward.ts), for predictions and evaluation: the WebAssembly
// kernel's must give the bits of the network's own layers, for every activation, with and
// without biases, in one block or many; evaluation and the loss over blocks must agree between
// the two engines and with one pass over all rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LOSS_NAMES, Matrix, Network } from '../src/index.js';
import { blockRows, forwardBlocks, lossInBlocks } from '../src/engine/forward.js';
import { evaluate } from '../src/train/metrics.js';
import { kernelModule } from '../src/engine/kernel64.js';
import { HIDDEN, outputsFor } from './arbitraries.js';

function randomMatrix(rows: number, cols: number, seed: number, scale = 2): Matrix {
  const m = new Matrix(rows, cols);
  let s = seed >>> 0;
  for (let i = 0; i < m.data.length; i++) m.data[i] = scale * (2 * (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 1);
  return m;
}

/** Every block's outputs and logits, concatenated. */
function allOutputs(net: Network, X: Matrix, engine: 'auto' | 'reference') {
  const out = new Float64Array(X.rows * net.outputs);
  const z = new Float64Array(X.rows * net.outputs);
  const starts: number[] = [];
  forwardBlocks(
    net,
    X,
    (o, l, start) => {
      starts.push(start);
      out.set(o.data, start * net.outputs);
      z.set(l.data, start * net.outputs);
    },
    engine,
  );
  return { out, z, starts };
}

test('the kernel is there to be compared with (WebAssembly SIMD in this Node)', () => {
  assert.ok(kernelModule(), 'the float64 kernel did not compile');
});

test('the kernel forward pass gives the bits of the network layers, for every activation, with and without biases', () => {
  fc.assert(
    fc.property(
      fc.record({
        inputs: fc.integer({ min: 1, max: 9 }),
        hidden: fc.array(fc.record({ units: fc.integer({ min: 1, max: 21 }), activation: fc.constantFrom(...HIDDEN) }), { maxLength: 3 }),
        outputs: fc.integer({ min: 2, max: 6 }),
        loss: fc.constantFrom(...LOSS_NAMES),
        pick: fc.nat(),
        bias: fc.boolean(),
        rows: fc.integer({ min: 1, max: 40 }),
        seed: fc.integer({ min: 1, max: 1000 }),
      }),
      (c) => {
        const outs = outputsFor(c.loss);
        const net = new Network({
          inputs: c.inputs,
          loss: c.loss,
          bias: c.bias,
          seed: c.seed,
          layers: [...c.hidden, { units: c.outputs, activation: outs[c.pick % outs.length] }],
        });
        const X = randomMatrix(c.rows, c.inputs, c.seed);
        const k = allOutputs(net, X, 'auto');
        const r = allOutputs(net, X, 'reference');
        assert.deepEqual(k.out, r.out);
        assert.deepEqual(k.z, r.z);
        // and the reference is the network's own forward pass over all rows
        assert.deepEqual(r.out, net.forward(X).data);
      },
    ),
    { numRuns: 150 },
  );
});

test('past one block: the same blocks on both engines, the same outputs, and the loss summed over blocks', () => {
  // wide inputs make small blocks
  const net = new Network({ inputs: 4000, layers: [{ units: 3, activation: 'tanh' }, { units: 4, activation: 'softmax' }], loss: 'cross-entropy', seed: 3 });
  const B = blockRows(net);
  const rows = 2 * B + 17;
  assert.ok(B < 65_536, 'a wide network takes smaller blocks');
  const X = randomMatrix(rows, 4000, 7);
  const Y = new Matrix(rows, 4);
  for (let i = 0; i < rows; i++) Y.data[i * 4 + ((i * 7) % 4)] = 1;
  const k = allOutputs(net, X, 'auto');
  const r = allOutputs(net, X, 'reference');
  assert.deepEqual(k.starts, [0, B, 2 * B]);
  assert.deepEqual(k.out, r.out);
  assert.equal(lossInBlocks(net, X, Y, 'auto'), lossInBlocks(net, X, Y, 'reference'));
  // the sum over blocks is the whole pass's loss up to rounding
  const whole = net.lossOn(X, Y);
  assert.ok(Math.abs(lossInBlocks(net, X, Y) - whole) <= 1e-12 * Math.abs(whole), `${lossInBlocks(net, X, Y)} vs ${whole}`);
  const e = evaluate(net, X, Y);
  assert.deepEqual(e, evaluate(net, X, Y, 'reference'));
  assert.equal(e.loss, lossInBlocks(net, X, Y));
  const hits = e.confusion!.reduce((s, row, i) => s + row[i], 0);
  assert.equal(e.accuracy, hits / rows);
});

test('within one block, the loss and evaluation have the bits of one pass over all rows', () => {
  const net = new Network({ inputs: 4, layers: [{ units: 16, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'cross-entropy', seed: 9 });
  const X = randomMatrix(500, 4, 11);
  const Y = new Matrix(500, 3);
  for (let i = 0; i < 500; i++) Y.data[i * 3 + (i % 3)] = 1;
  assert.equal(lossInBlocks(net, X, Y), net.lossOn(X, Y));
  assert.equal(evaluate(net, X, Y).loss, net.lossOn(X, Y));
});

test('weights changed between calls are taken: the kernel copies them in on every call', () => {
  const net = new Network({ inputs: 3, layers: [{ units: 5, activation: 'sigmoid' }, { units: 2, activation: 'linear' }], loss: 'mse', seed: 2 });
  const X = randomMatrix(20, 3, 5);
  const before = allOutputs(net, X, 'auto').out;
  net.layers[0].W.data[0] += 0.5;
  const after = allOutputs(net, X, 'auto');
  assert.notDeepEqual(after.out, before);
  assert.deepEqual(after.out, net.forward(X).data);
});
