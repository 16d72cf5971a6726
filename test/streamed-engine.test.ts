// The WebAssembly engine with its data left outside the kernel's memory (large data sets: see
// STREAM in src/engine/wasm64.ts): the engine copies each batch's rows into the kernel, one step
// per call. It must train as the reference engine does, bit for bit, as the in-memory kernel does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DivergedError, LOSS_NAMES, Matrix, Network, optimizer } from '../src/index.js';
import { OPTIMIZER_NAMES } from '../src/train/optimizers.js';
import { STREAM, WasmEngine } from '../src/engine/wasm64.js';
import type { EngineName } from '../src/engine/engine.js';
import { HIDDEN, outputsFor } from './arbitraries.js';

function withStreaming<T>(f: () => T): T {
  const saved = STREAM.aboveBytes;
  STREAM.aboveBytes = 0;
  try {
    return f();
  } finally {
    STREAM.aboveBytes = saved;
  }
}

test('a streamed engine has no many-epochs call: the trainer steps batch by batch', () => {
  const net = new Network({ inputs: 2, layers: [{ units: 3 }, { units: 1 }], loss: 'mse', seed: 1 });
  const X = new Matrix(8, 2);
  const Y = new Matrix(8, 1);
  const inMemory = WasmEngine.create({ net, opt: optimizer('sgd'), X, Y, batchSize: 4, shuffled: true, classify: false });
  assert.ok(inMemory?.epochs, 'small data: many epochs per call');
  const net2 = new Network({ inputs: 2, layers: [{ units: 3 }, { units: 1 }], loss: 'mse', seed: 1 });
  const streamed = withStreaming(() => WasmEngine.create({ net: net2, opt: optimizer('sgd'), X, Y, batchSize: 4, shuffled: true, classify: false }));
  assert.ok(streamed, 'the kernel still runs it');
  assert.equal(streamed.epochs, undefined);
});

test('streamed, with every activation, loss, optimizer, batch size and shuffle: the reference bits', () => {
  fc.assert(
    fc.property(
      fc.record({
        inputs: fc.integer({ min: 1, max: 5 }),
        hidden: fc.array(fc.record({ units: fc.integer({ min: 1, max: 12 }), activation: fc.constantFrom(...HIDDEN) }), { maxLength: 2 }),
        outputs: fc.integer({ min: 2, max: 4 }),
        loss: fc.constantFrom(...LOSS_NAMES),
        pick: fc.nat(),
        rows: fc.integer({ min: 1, max: 40 }),
        optimizer: fc.constantFrom(...OPTIMIZER_NAMES),
        epochs: fc.integer({ min: 1, max: 6 }),
        batchSize: fc.oneof(fc.constant<'full'>('full'), fc.integer({ min: 1, max: 16 })),
        shuffle: fc.boolean(),
        seed: fc.integer({ min: 1, max: 1e6 }),
      }),
      (c) => {
        const outs = outputsFor(c.loss);
        const out = outs[c.pick % outs.length];
        const make = () => new Network({ inputs: c.inputs, loss: c.loss, seed: c.seed, layers: [...c.hidden, { units: c.outputs, activation: out }] });
        const X = new Matrix(c.rows, c.inputs);
        const Y = new Matrix(c.rows, c.outputs);
        let s = c.seed;
        const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
        X.data.forEach((_, i) => (X.data[i] = 4 * r() - 2));
        for (let i = 0; i < c.rows; i++) {
          if (c.loss === 'cross-entropy') Y.data[i * c.outputs + (i % c.outputs)] = 1;
          else for (let k = 0; k < c.outputs; k++) Y.data[i * c.outputs + k] = c.loss === 'binary-cross-entropy' ? (r() < 0.5 ? 0 : 1) : r();
        }
        const sum = c.loss === 'sum-of-squares' || c.loss === 'half-sum-of-squares';
        const lr = (c.optimizer === 'adam' || c.optimizer === 'rmsprop' ? 0.01 : 0.05) / (sum ? c.rows : 1);
        const run = (engine: EngineName) => {
          const net = make();
          try {
            const h = net.fit(X, Y, { epochs: c.epochs, optimizer: c.optimizer, learningRate: lr, batchSize: c.batchSize, shuffle: c.shuffle, engine });
            return { net, loss: h.loss, accuracy: h.accuracy, stop: h.stopReason };
          } catch (e) {
            if (!(e instanceof DivergedError)) throw e;
            return { net, loss: e.history.loss, accuracy: e.history.accuracy, stop: `diverged at ${e.epoch}` };
          }
        };
        const a = withStreaming(() => run('wasm'));
        const b = run('reference');
        assert.equal(a.stop, b.stop);
        assert.deepEqual(a.loss, b.loss);
        assert.deepEqual(a.accuracy, b.accuracy);
        a.net.params().forEach((p, i) => assert.deepEqual(p.value, b.net.params()[i].value, p.name));
        assert.deepEqual(a.net.rng.getState(), b.net.rng.getState());
      },
    ),
    { numRuns: 250 },
  );
});
