// The float64 WebAssembly engine is kept per network (src/engine/wasm64.ts) and taken by the
// network's next trainer whatever the row count, batch size, shuffle or optimizer of its data: the
// engine lays them out again in the same memory, grown when they need more (each group of blocks
// trained from the disk cache has a row count of its own). Whatever the sequence of inputs, and
// whichever trainer had the engine last, each run must give the reference engine's bits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DivergedError, Matrix, Network, Trainer, optimizer, type Optimizer } from '../src/index.js';
import { OPTIMIZER_NAMES } from '../src/train/optimizers.js';
import { STREAM, WasmEngine } from '../src/engine/wasm64.js';
import type { EngineInput, EngineKind } from '../src/engine/engine.js';

/** Seeded rows: inputs in [-2, 2), targets one-hot classes (cross-entropy) or values in [0, 1). */
function data(rows: number, inputs: number, outputs: number, classes: boolean, seed: number): { X: Matrix; Y: Matrix } {
  let s = seed >>> 0;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const X = new Matrix(rows, inputs);
  const Y = new Matrix(rows, outputs);
  X.data.forEach((_, i) => (X.data[i] = 4 * r() - 2));
  for (let i = 0; i < rows; i++) {
    if (classes) Y.data[i * outputs + Math.floor(r() * outputs)] = 1;
    else for (let k = 0; k < outputs; k++) Y.data[i * outputs + k] = r();
  }
  return { X, Y };
}

function withStream<T>(aboveBytes: number, f: () => T): T {
  const saved = STREAM.aboveBytes;
  STREAM.aboveBytes = aboveBytes;
  try {
    return f();
  } finally {
    STREAM.aboveBytes = saved;
  }
}

const weights = (net: Network) => net.params().map((p) => Array.from(p.value));

/** Some whole epochs, then some single steps: their losses, or where it diverged. */
function train(t: Trainer, epochs: number, steps: number): (number | string)[] {
  const sink = { loss: [] as number[], learningRate: [] as number[], epochs: 0 };
  const seen: (number | string)[] = [];
  try {
    t.epochs(epochs, sink);
    seen.push(...sink.loss);
    for (let k = 0; k < steps; k++) seen.push(t.step().loss);
  } catch (e) {
    if (!(e instanceof DivergedError)) throw e;
    seen.push(...sink.loss, `diverged at ${e.epoch}, batch ${e.batch}`);
  }
  return seen;
}

const run = fc.record({
  rows: fc.integer({ min: 1, max: 60 }),
  batchSize: fc.oneof(fc.constant<'full'>('full'), fc.integer({ min: 1, max: 16 })),
  shuffle: fc.boolean(),
  epochs: fc.integer({ min: 0, max: 4 }),
  steps: fc.integer({ min: 0, max: 6 }),
  /** A new trainer's optimizer, when another than the one before (a new one, without state). */
  optimizer: fc.option(fc.constantFrom(...OPTIMIZER_NAMES), { freq: 4 }),
  /** Go on with an earlier trainer (this one modulo their count) rather than a new one. */
  again: fc.option(fc.nat(), { freq: 3 }),
});

test('one network, a sequence of inputs of other row counts, batches, shuffles, optimizers and trainers: one kept engine, the reference bits', () => {
  fc.assert(
    fc.property(
      fc.record({
        units: fc.integer({ min: 1, max: 9 }),
        activation: fc.constantFrom('tanh', 'relu', 'sigmoid'),
        classes: fc.boolean(),
        optimizer: fc.constantFrom(...OPTIMIZER_NAMES),
        streamed: fc.boolean(),
        seed: fc.integer({ min: 1, max: 1e6 }),
        runs: fc.array(run, { minLength: 1, maxLength: 7 }),
      }),
      (c) => {
        const make = () =>
          new Network({
            inputs: 3,
            layers: [{ units: c.units, activation: c.activation }, c.classes ? { units: 3, activation: 'softmax' } : { units: 2, activation: 'linear' }],
            loss: c.classes ? 'cross-entropy' : 'mse',
            seed: c.seed,
          });
        const engines: EngineKind[] = ['wasm', 'reference'];
        const nets = { wasm: make(), reference: make() };
        const opts: Record<EngineKind, Optimizer> = { wasm: optimizer(c.optimizer), reference: optimizer(c.optimizer) };
        const trainers: Record<EngineKind, Trainer[]> = { wasm: [], reference: [] };
        const rate = (name: string) => (name === 'adam' || name === 'rmsprop' ? 0.01 : 0.05);
        withStream(c.streamed ? 0 : STREAM.aboveBytes, () => {
          // a sequence goes on after a divergence: a trainer stands before the batch that failed, on both engines
          for (const [k, r] of c.runs.entries()) {
            const seen = engines.map((engine) => {
              const held = trainers[engine];
              let t = r.again === null || held.length === 0 ? undefined : held[r.again % held.length];
              if (!t) {
                const { X, Y } = data(r.rows, 3, c.classes ? 3 : 2, c.classes, c.seed + k);
                if (r.optimizer) opts[engine] = optimizer(r.optimizer);
                const learningRate = rate(opts[engine].spec.name);
                t = new Trainer(nets[engine], X, Y, { batchSize: r.batchSize, shuffle: r.shuffle, learningRate, optimizer: opts[engine], engine });
                held.push(t);
              }
              return train(t, r.epochs, r.steps);
            });
            assert.deepEqual(seen[0], seen[1], `run ${k + 1}: losses`);
            assert.deepEqual(weights(nets.wasm), weights(nets.reference), `run ${k + 1}: weights`);
            assert.deepEqual(opts.wasm.getState(), opts.reference.getState(), `run ${k + 1}: optimizer state`);
            assert.deepEqual(nets.wasm.rng.getState(), nets.reference.rng.getState(), `run ${k + 1}: generator`);
          }
          // every trainer of the network ran on the one engine the network keeps
          assert.equal(new Set(trainers.wasm.map((t) => t.engine)).size, 1);
          assert.ok(trainers.wasm.every((t) => t.engine.kind === 'wasm'));
        });
      },
    ),
    { numRuns: 200 },
  );
});

test('the kept engine grows for more rows, is taken again by fewer, and leaves data that go the other way or a layout over its size limit to engines of their own', () => {
  const make = () => new Network({ inputs: 12, layers: [{ units: 4, activation: 'tanh' }, { units: 1 }], loss: 'mse', seed: 2 });
  const net = make();
  const input = (rows: number, of = net): EngineInput => {
    const { X, Y } = data(rows, 12, 1, false, rows);
    return { net: of, opt: optimizer('adam'), X, Y, batchSize: 8, shuffled: true, classify: false };
  };
  /** Epochs per call of a new engine for these rows (fewer for more rows: their orders and Adam's constants). */
  const maxEpochs = (rows: number) => WasmEngine.create(input(rows, make()))!.maxEpochs;
  const small = WasmEngine.create(input(20));
  assert.ok(small);
  for (const rows of [5000, 3, 5000, 20]) {
    assert.equal(WasmEngine.create(input(rows)), small, `${rows} rows`);
    assert.equal(small.maxEpochs, maxEpochs(rows), `${rows} rows: epochs per call`);
  }
  assert.ok(maxEpochs(5000) < maxEpochs(20));
  // ~33 MB of data copied into the kernel: over the 32 MiB an engine may keep
  const large = withStream(Infinity, () => WasmEngine.create(input(340_000)));
  assert.ok(large && large !== small, 'over the size limit: an engine of its own');
  assert.equal(WasmEngine.create(input(40)), small, 'the kept engine stays the small one');
  const streamed = withStream(0, () => WasmEngine.create(input(40)));
  assert.ok(streamed && streamed !== small, 'streamed data: an engine of their own');
  assert.equal(streamed.epochs, undefined);
});
