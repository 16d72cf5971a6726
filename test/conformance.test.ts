// One suite over both engines (src/engine/): the WebAssembly engine must train as the reference
// engine does, bit for bit — every activation, loss, optimizer and batch size, divergence, the
// error threshold, callbacks that change weights, checkpoints and resuming mid-epoch — and fit
// must use it where it applies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { DivergedError, LOSS_NAMES, Matrix, Network, optimizer, type LossName } from '../src/index.js';
import { OPTIMIZER_NAMES } from '../src/train/optimizers.js';
import { WasmEngine } from '../src/engine/wasm64.js';
import { Trainer } from '../src/train/trainer.js';
import type { EngineName } from '../src/engine/engine.js';
import { HIDDEN, outputsFor } from './arbitraries.js';


function data(rows: number, inputs: number, outputs: number, loss: LossName, seed: number) {
  const X = new Matrix(rows, inputs);
  const Y = new Matrix(rows, outputs);
  let s = seed;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  X.data.forEach((_, i) => (X.data[i] = 4 * r() - 2));
  if (loss === 'cross-entropy') for (let i = 0; i < rows; i++) Y.data[i * outputs + (i % outputs)] = 1;
  else Y.data.forEach((_, i) => (Y.data[i] = loss === 'binary-cross-entropy' ? (r() < 0.5 ? 0 : 1) : r()));
  return { X, Y };
}

const config = (acts: readonly string[], losses: readonly LossName[], outputsOf: (l: LossName) => string[]) =>
  fc
    .record({
      inputs: fc.integer({ min: 1, max: 6 }),
      hidden: fc.array(fc.record({ units: fc.integer({ min: 1, max: 19 }), activation: fc.constantFrom(...acts) }), { maxLength: 3 }),
      outputs: fc.integer({ min: 1, max: 5 }),
      loss: fc.constantFrom(...losses),
      pick: fc.nat(),
      bias: fc.boolean(),
      rows: fc.integer({ min: 1, max: 23 }),
      optimizer: fc.constantFrom(...OPTIMIZER_NAMES),
      epochs: fc.integer({ min: 1, max: 40 }),
      batchSize: fc.oneof(fc.constant<'full'>('full'), fc.integer({ min: 1, max: 30 })),
      shuffle: fc.boolean(),
      seed: fc.integer({ min: 1, max: 1e6 }),
    })
    .map((c) => {
      const out = outputsOf(c.loss)[c.pick % outputsOf(c.loss).length];
      return { ...c, out, outputs: out === 'softmax' ? Math.max(2, c.outputs) : c.outputs };
    });

function trainBoth(c: (ReturnType<typeof config> extends fc.Arbitrary<infer T> ? T : never) & { l1?: number; l2?: number }) {
  const make = () =>
    new Network({ inputs: c.inputs, loss: c.loss, bias: c.bias, seed: c.seed, layers: [...c.hidden, { units: c.outputs, activation: c.out }] });
  const { X, Y } = data(c.rows, c.inputs, c.outputs, c.loss, c.seed);
  const a = make();
  const b = make();
  // (the sums of squares are not divided by the rows: a smaller step keeps most runs finite)
  const sum = c.loss === 'sum-of-squares' || c.loss === 'half-sum-of-squares';
  const lr = (c.optimizer === 'adam' || c.optimizer === 'rmsprop' ? 0.01 : 0.05) / (sum ? c.rows : 1);
  const opts = { epochs: c.epochs, optimizer: c.optimizer, learningRate: lr, batchSize: c.batchSize, shuffle: c.shuffle, l1: c.l1, l2: c.l2 } as const;
  // a run that diverges must diverge on both paths at the same epoch: compare its history then
  const fitOrDiverge = (net: Network, engine: EngineName) => {
    try {
      return net.fit(X, Y, { ...opts, engine });
    } catch (e) {
      if (!(e instanceof DivergedError)) throw e;
      return { ...e.history, stopReason: `diverged at ${e.epoch}` };
    }
  };
  const ha = fitOrDiverge(a, 'wasm');
  const hb = fitOrDiverge(b, 'reference');
  assert.equal(ha.stopReason, hb.stopReason);
  assert.deepEqual(a.rng.getState(), b.rng.getState(), 'the generator ends where the reference leaves it');
  return { a, b, ha, hb, X, Y };
}

test('with every activation, loss, optimizer and batch size the kernel gives the reference bits: weights, gradients, losses, accuracy', () => {
  fc.assert(
    fc.property(config(HIDDEN, [...LOSS_NAMES], outputsFor), (c) => {
      const { a, b, ha, hb } = trainBoth(c);
      assert.deepEqual(ha.loss, hb.loss);
      assert.deepEqual(ha.accuracy, hb.accuracy);
      assert.deepEqual(ha.learningRate, hb.learningRate);
      a.params().forEach((p, i) => {
        assert.deepEqual(p.value, b.params()[i].value, p.name);
        // (after a divergence the failed batch's gradients are not finite on both paths, and
        // which of NaN and ±Infinity they hold depends on where the overflow happened)
        if (!ha.stopReason.startsWith('diverged')) assert.deepEqual(p.grad, b.params()[i].grad, `${p.name} gradient`);
      });
    }),
    { numRuns: 400 },
  );
});

test('with L1, L2 and both, every optimizer and batch size, the kernel gives the reference bits, and the penalty is in the loss', () => {
  const reg = fc.constantFrom({ l1: 0.01, l2: 0 }, { l1: 0, l2: 0.03 }, { l1: 0.003, l2: 0.1 }, { l1: 0.1, l2: 0.001 });
  fc.assert(
    fc.property(config(HIDDEN, [...LOSS_NAMES], outputsFor), reg, (c0, r) => {
      const c = { ...c0, ...r };
      const { a, b, ha, hb } = trainBoth(c);
      assert.deepEqual(ha.loss, hb.loss);
      assert.deepEqual(ha.accuracy, hb.accuracy);
      a.params().forEach((p, i) => {
        assert.deepEqual(p.value, b.params()[i].value, p.name);
        if (!ha.stopReason.startsWith('diverged')) assert.deepEqual(p.grad, b.params()[i].grad, `${p.name} gradient`);
      });
      // and the same run without the penalty ends elsewhere (the penalty is not ignored)
      if (!ha.stopReason.startsWith('diverged')) {
        const plain = trainBoth({ ...c0, l1: 0, l2: 0 });
        if (!plain.ha.stopReason.startsWith('diverged')) assert.notDeepEqual(plain.a.toJSON().layers, a.toJSON().layers);
      }
    }),
    { numRuns: 150 },
  );
});

test('with regularisation, step by step, validation, early stopping and checkpoints see the same bits on both engines', () => {
  const X = Array.from({ length: 37 }, (_, i) => [Math.sin(i), Math.cos(3 * i), (i % 7) / 7]);
  const Y = X.map(([a, b]) => [a - b > 0 ? 1 : 0, a - b > 0 ? 0 : 1]);
  const make = () => new Network({ inputs: 3, layers: [{ units: 6, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'cross-entropy', seed: 3 });
  const run = (engine: EngineName) => {
    const net = make();
    const saved: unknown[] = [];
    const batches: number[] = [];
    const history = net.fit(X, Y, {
      epochs: 60, batchSize: 5, optimizer: 'nesterov', learningRate: 0.05, l1: 0.002, l2: 0.02, engine,
      validationSplit: 0.2, earlyStopping: { patience: 3, minDelta: 1e-3 },
      checkpoint: { everyEpochs: 4, save: (cp) => saved.push(cp) },
      onBatchEnd: (info) => void batches.push(info.loss),
    });
    return { net, history, saved, batches };
  };
  const a = run('wasm');
  const b = run('reference');
  assert.deepEqual({ ...a.history, seconds: 0 }, { ...b.history, seconds: 0 });
  assert.deepEqual(a.batches, b.batches);
  assert.deepEqual(a.net.toJSON(), b.net.toJSON());
  assert.deepEqual(a.saved.map((c) => ({ ...(c as object), history: undefined })), b.saved.map((c) => ({ ...(c as object), history: undefined })));
});

test('fit runs training on the kernel when nothing runs between epochs', () => {
  const make = () => new Network({ inputs: 2, layers: [{ units: 2 }, { units: 1 }], loss: 'half-sum-of-squares', seed: 5 });
  const X = new Matrix(4, 2, Float64Array.from([0, 0, 0, 1, 1, 0, 1, 1]));
  const Y = new Matrix(4, 1, Float64Array.from([0, 1, 1, 0]));
  const viaFit = make();
  viaFit.fit(X, Y, { epochs: 300, learningRate: 0.5 });
  const direct = make();
  const opt = optimizer('sgd');
  const engine = WasmEngine.create({ net: direct, opt, X, Y, batchSize: 4, shuffled: false, classify: true });
  assert.ok(engine, 'the kernel takes a 2-2-1 network');
  assert.equal(engine.epochs!(new Float64Array(300).fill(0.5), undefined, undefined).epochs, 300);
  engine.save();
  assert.deepEqual(viaFit.toJSON(), direct.toJSON());
  // runs of one step each (the playground's) run on the engine the network keeps: the same bits
  const short = make();
  for (let k = 0; k < 20; k++) short.fit(X, Y, { epochs: 1, learningRate: 0.5, engine: 'wasm' });
  const reference = make();
  reference.fit(X, Y, { epochs: 20, learningRate: 0.5, engine: 'reference' });
  assert.deepEqual(short.toJSON(), reference.toJSON());
});

test('between kernel batches, onBatchEnd, shouldStop and batch checkpoints see what the reference shows them', () => {
  const X = Array.from({ length: 45 }, (_, i) => [Math.sin(i), Math.cos(2 * i), (i % 5) / 5]);
  const Y = X.map(([a, b]) => [a * b > 0 ? 1 : 0, a * b > 0 ? 0 : 1]);
  const make = () => new Network({ inputs: 3, layers: [{ units: 7, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'cross-entropy', seed: 5 });
  const run = (engine: EngineName) => {
    const net = make();
    const seen: unknown[] = [];
    const saved: unknown[] = [];
    let calls = 0;
    const history = net.fit(X, Y, {
      epochs: 30,
      batchSize: 8,
      optimizer: 'adam',
      learningRate: 0.02,
      engine,
      checkpoint: { everyBatches: 17, save: (c) => saved.push(c) },
      onBatchEnd: (info) => {
        seen.push({ ...info, w: Array.from(net.layers[1].W.data) });
        if (info.epoch === 3 && info.batch === 2) net.layers[0].W.data[1] -= 0.25; // a callback that changes a weight
      },
      shouldStop: () => ++calls === 148, // stops mid-epoch (batch 4 of epoch 25), saving a checkpoint
    });
    return { net, history, seen, saved };
  };
  const a = run('wasm');
  const b = run('reference');
  assert.equal(a.history.stopReason, 'interrupted');
  assert.deepEqual({ ...a.history, seconds: 0 }, { ...b.history, seconds: 0 });
  assert.deepEqual(a.seen, b.seen);
  const strip = (c: unknown) => ({ ...(c as object), history: { ...(c as { history: object }).history, seconds: 0 } });
  assert.deepEqual(a.saved.map(strip), b.saved.map(strip));
  assert.deepEqual(a.net.toJSON(), b.net.toJSON());
  assert.deepEqual(a.net.rng.getState(), b.net.rng.getState());
  // and resuming from the interruption's checkpoint ends where an uninterrupted run ends
  const resumed = make();
  const last = a.saved.at(-1) as Parameters<typeof resumed.fit>[2] extends infer O ? (O extends { resume?: infer R } ? R : never) : never;
  resumed.fit(X, Y, { epochs: 30, batchSize: 8, optimizer: 'adam', learningRate: 0.02, resume: last, onBatchEnd: () => undefined });
  const whole = make();
  whole.fit(X, Y, { epochs: 30, batchSize: 8, optimizer: 'adam', learningRate: 0.02, engine: 'reference', onBatchEnd: (info) => void (info.epoch === 3 && info.batch === 2 && (whole.layers[0].W.data[1] -= 0.25)) });
  assert.deepEqual(resumed.toJSON(), whole.toJSON());
});

test('between kernel epochs, callbacks, validation, early stopping and checkpoints see what the reference shows them', () => {
  const X = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(3 * i), (i % 7) / 7]);
  const Y = X.map(([a, b, c]) => [a - b > 0 ? 1 : 0, a - b > 0 ? 0 : 1].map((v) => v + 0 * c));
  const make = () => new Network({ inputs: 3, layers: [{ units: 6, activation: 'leaky-relu' }, { units: 2, activation: 'linear' }], loss: 'mse', seed: 11 });
  const run = (engine: EngineName) => {
    const net = make();
    const seen: unknown[] = [];
    const saved: unknown[] = [];
    const history = net.fit(X, Y, {
      epochs: 200,
      batchSize: 8,
      optimizer: 'momentum',
      learningRate: 0.05,
      validationSplit: 0.25,
      earlyStopping: { patience: 4, minDelta: 1e-4 },
      checkpoint: { everyEpochs: 7, save: (c) => saved.push(c) },
      engine,
      onEpochEnd: (info) => {
        seen.push({ ...info, w: Array.from(net.layers[0].W.data) });
        if (info.epoch === 5) net.layers[1].W.data[0] += 0.5; // a callback that changes a weight
      },
    });
    return { net, history, seen, saved };
  };
  const a = run('wasm');
  const b = run('reference');
  assert.equal(a.history.stopReason, 'early-stopping');
  assert.deepEqual({ ...a.history, seconds: 0 }, { ...b.history, seconds: 0 });
  assert.deepEqual(a.seen, b.seen);
  assert.deepEqual(a.saved.map((c) => ({ ...(c as object), history: undefined })), b.saved.map((c) => ({ ...(c as object), history: undefined })));
  assert.deepEqual(a.net.toJSON(), b.net.toJSON());
  assert.deepEqual(a.net.rng.getState(), b.net.rng.getState());
});

test('the kernel keeps the optimizer state: two fits with one Adam equal one fit of both lengths', () => {
  const X = Array.from({ length: 20 }, (_, i) => [Math.sin(i), Math.cos(i)]);
  const Y = X.map(([a, b]) => [a * b > 0 ? 1 : 0, a * b > 0 ? 0 : 1]);
  const make = () => new Network({ inputs: 2, layers: [{ units: 5, activation: 'relu' }, { units: 2, activation: 'linear' }], seed: 2 });
  const split = make();
  const adam = optimizer('adam');
  split.fit(X, Y, { epochs: 40, optimizer: adam, learningRate: 0.01 });
  split.fit(X, Y, { epochs: 60, optimizer: adam, learningRate: 0.01 });
  const whole = make();
  whole.fit(X, Y, { epochs: 100, optimizer: 'adam', learningRate: 0.01, engine: 'reference' });
  assert.deepEqual(split.toJSON(), whole.toJSON());
  assert.equal(adam.getState().t, 100);
});

test('the kernel stops where the reference stops: divergence and the error threshold', () => {
  const X = Array.from({ length: 12 }, (_, i) => [i, -2 * i, i * i]);
  const Y = X.map(([a]) => [a * 100]);
  const make = () => new Network({ inputs: 3, layers: [{ units: 4, activation: 'relu' }, { units: 1, activation: 'linear' }], seed: 4 });
  const run = (engine: EngineName) => {
    const net = make();
    try {
      net.fit(X, Y, { epochs: 500, learningRate: 5, engine });
      return { net, error: undefined };
    } catch (e) {
      return { net, error: e as DivergedError };
    }
  };
  const a = run('wasm');
  const b = run('reference');
  assert.ok(a.error instanceof DivergedError && b.error instanceof DivergedError);
  assert.equal(a.error.epoch, b.error.epoch);
  assert.deepEqual(a.error.history.loss, b.error.history.loss);
  assert.deepEqual(a.net.toJSON(), b.net.toJSON(), 'the weights of the last good step');

  // a linear target a linear network can reach
  const P = Array.from({ length: 10 }, (_, i) => [Math.sin(i), Math.cos(2 * i)]);
  const T = P.map(([u, v]) => [0.5 * u - 0.25 * v + 0.1]);
  const lin = () => new Network({ inputs: 2, layers: [{ units: 3, activation: 'leaky-relu' }, { units: 1, activation: 'linear' }], loss: 'mse', seed: 9 });
  const ta = lin().fit(P, T, { epochs: 5000, learningRate: 0.1, errorThreshold: 1e-4 });
  const tb = lin().fit(P, T, { epochs: 5000, learningRate: 0.1, errorThreshold: 1e-4, engine: 'reference' });
  assert.equal(ta.stopReason, 'threshold');
  assert.equal(ta.epochs, tb.epochs);
  assert.ok(ta.epochs < 5000);
});

test('a divergence inside a many-epochs call of the kernel leaves the trainer where the reference\'s steps leave it: before the failed batch, with the epoch\'s sums so far', () => {
  const X = Array.from({ length: 12 }, (_, i) => [i, -2 * i, i * i]);
  const Y = X.map(([a]) => [a * 100]);
  let midEpoch = 0;
  for (let seed = 1; seed <= 12; seed++) {
    const states = (['wasm', 'reference'] as const).map((engine) => {
      // a linear network on targets in the hundreds: its weights blow up within a few epochs
      const net = new Network({ inputs: 3, layers: [{ units: 4, activation: 'linear' }, { units: 1, activation: 'linear' }], seed });
      const t = new Trainer(net, X, Y, { batchSize: 3, learningRate: 0.0001 * (1 + (seed % 4)), optimizer: seed % 2 ? 'sgd' : 'momentum', engine });
      const sink = { loss: [] as number[], learningRate: [] as number[], epochs: 0 };
      let failed: DivergedError | undefined;
      try {
        t.epochs(300, sink);
      } catch (e) {
        if (!(e instanceof DivergedError)) throw e;
        failed = e;
      }
      const after = t.state();
      // one more step from there, at the failed batch: both engines take the same one
      let next: string;
      try {
        next = JSON.stringify(t.step());
      } catch (e) {
        next = `diverged at ${(e as DivergedError).epoch}, batch ${(e as DivergedError).batch}`;
      }
      return { failed: failed && { epoch: failed.epoch, batch: failed.batch }, losses: sink.loss, after, next, then: t.state() };
    });
    assert.deepEqual(states[0], states[1], `seed ${seed}`);
    assert.ok(states[0].failed, `seed ${seed}: the run diverges`);
    if (states[0].failed.epoch > 1 && states[0].failed.batch > 1) midEpoch++;
  }
  assert.ok(midEpoch > 0, 'some runs diverge after the first epoch and the first batch of an epoch');
});

test('the kernel layout generated from scripts/kernel-layout.mjs agrees with the library: codes, slots, leaky slope, offsets', async () => {
  const layout = await import('../src/engine/layout64.js');
  const { ACTIVATION_NAMES, LEAKY_SLOPE } = await import('../src/index.js');
  assert.equal(layout.KERNEL_LEAKY_SLOPE, LEAKY_SLOPE);
  assert.deepEqual(Object.keys(layout.OPT_CODES).sort(), [...OPTIMIZER_NAMES].sort());
  assert.deepEqual(Object.keys(layout.SLOT_COUNTS).sort(), [...OPTIMIZER_NAMES].sort());
  // every activation but step (which cannot train) has a code, each code once
  assert.deepEqual(Object.keys(layout.ACT_CODES).sort(), ACTIVATION_NAMES.filter((a) => a !== 'step').sort());
  assert.equal(new Set(Object.values(layout.ACT_CODES)).size, Object.keys(layout.ACT_CODES).length);
  // the offsets: i32 words 4 bytes apart, f64 words 8 bytes apart and 8-aligned, none shared, all inside the block
  const offsets = Object.values(layout.CONFIG) as number[];
  assert.equal(new Set(offsets).size, offsets.length);
  assert.ok(offsets.every((o) => o >= 0 && o + 8 <= layout.CONFIG_BYTES));
  assert.ok((Object.values(layout.DESCRIPTOR) as number[]).every((o) => o + 4 <= layout.DESCRIPTOR_BYTES));
  const asSource = readFileSync(new URL('../assembly/layout64.ts', import.meta.url), 'utf8');
  for (const [name, off] of Object.entries(layout.CONFIG)) {
    const asName = `C_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
    assert.match(asSource, new RegExp(`export const ${asName} = ${off};`), asName);
  }
});
