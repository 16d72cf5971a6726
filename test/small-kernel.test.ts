// The small-network WebAssembly kernel must train as the reference path does: bit for bit where
// no exp, log or tanh is involved, to rounding elsewhere; and fit must use it where it applies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DivergedError, LOSS_NAMES, Matrix, Network, optimizer, type LossName } from '../src/index.js';
import { OPTIMIZER_NAMES } from '../src/train/optimizers.js';
import { kernelExp, SmallKernel } from '../src/train/small-kernel.js';

const ACTS = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'linear', 'softmax'] as const;
const EXP_FREE = ['relu', 'leaky-relu', 'linear'] as const;
const SQUARED = LOSS_NAMES.filter((l) => !l.includes('cross-entropy'));
const outputsFor = (loss: LossName) => (loss === 'cross-entropy' ? ['softmax'] : loss === 'binary-cross-entropy' ? ['sigmoid'] : ['sigmoid', 'tanh', 'linear', 'softmax', 'relu']);

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
      epochs: fc.integer({ min: 1, max: 12 }),
      batchSize: fc.oneof(fc.constant<'full'>('full'), fc.integer({ min: 1, max: 30 })),
      shuffle: fc.boolean(),
      seed: fc.integer({ min: 1, max: 1e6 }),
    })
    .map((c) => {
      const out = outputsOf(c.loss)[c.pick % outputsOf(c.loss).length];
      return { ...c, out, outputs: out === 'softmax' ? Math.max(2, c.outputs) : c.outputs };
    });

function trainBoth(c: ReturnType<typeof config> extends fc.Arbitrary<infer T> ? T : never) {
  const make = () =>
    new Network({ inputs: c.inputs, loss: c.loss, bias: c.bias, seed: c.seed, layers: [...c.hidden, { units: c.outputs, activation: c.out }] });
  const { X, Y } = data(c.rows, c.inputs, c.outputs, c.loss, c.seed);
  const a = make();
  const b = make();
  // (the sums of squares are not divided by the rows: a smaller step keeps most runs finite)
  const sum = c.loss === 'sum-of-squares' || c.loss === 'half-sum-of-squares';
  const lr = (c.optimizer === 'adam' || c.optimizer === 'rmsprop' ? 0.01 : 0.05) / (sum ? c.rows : 1);
  const opts = { epochs: c.epochs, optimizer: c.optimizer, learningRate: lr, batchSize: c.batchSize, shuffle: c.shuffle } as const;
  // a run that diverges must diverge on both paths at the same epoch: compare its history then
  const fitOrDiverge = (net: Network, compiled: boolean) => {
    try {
      return net.fit(X, Y, { ...opts, compiled });
    } catch (e) {
      if (!(e instanceof DivergedError)) throw e;
      return { ...e.history, stopReason: `diverged at ${e.epoch}` };
    }
  };
  const ha = fitOrDiverge(a, true);
  const hb = fitOrDiverge(b, false);
  assert.equal(ha.stopReason, hb.stopReason);
  assert.deepEqual(a.rng.getState(), b.rng.getState(), 'the generator ends where the reference leaves it');
  return { a, b, ha, hb, X, Y };
}

test('without exp, log or tanh the kernel gives the reference bits: weights, gradients, losses, accuracy', () => {
  fc.assert(
    fc.property(config(EXP_FREE, SQUARED, () => ['linear', 'relu', 'leaky-relu']), (c) => {
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
    { numRuns: 200 },
  );
});

test('with every activation, loss and optimizer the kernel agrees with the reference to rounding', () => {
  let worst = 0;
  fc.assert(
    fc.property(config(ACTS, [...LOSS_NAMES], outputsFor), (c) => {
      const { a, b, ha, hb } = trainBoth(c);
      assert.equal(ha.epochs, hb.epochs);
      // a run that blows up amplifies the last-bit differences without bound: nothing more to compare
      if (ha.stopReason.startsWith('diverged') || Math.max(...hb.loss) > 1e3 * (1 + hb.loss[0])) return;
      ha.loss.forEach((l, i) => assert.ok(Math.abs(l - hb.loss[i]) <= 1e-11 * (1 + Math.abs(hb.loss[i])), `loss of epoch ${i + 1}: ${l} vs ${hb.loss[i]}`));
      a.params().forEach((p, i) =>
        p.value.forEach((v, k) => {
          const ref = b.params()[i].value[k];
          const d = Math.abs(v - ref) / (1 + Math.abs(ref));
          worst = Math.max(worst, d);
          assert.ok(d <= 1e-11, `${p.name}[${k}] = ${v}, reference ${ref}`);
        }),
      );
    }),
    { numRuns: 300 },
  );
  assert.ok(worst > 0, 'some differences in the last bits are expected (the kernel has its own exp)');
});

test('fit runs training on the kernel when nothing runs between epochs', () => {
  const make = () => new Network({ inputs: 2, layers: [{ units: 2 }, { units: 1 }], loss: 'half-sum-of-squares', seed: 5 });
  const X = new Matrix(4, 2, Float64Array.from([0, 0, 0, 1, 1, 0, 1, 1]));
  const Y = new Matrix(4, 1, Float64Array.from([0, 1, 1, 0]));
  const viaFit = make();
  viaFit.fit(X, Y, { epochs: 300, learningRate: 0.5 });
  const direct = make();
  const opt = optimizer('sgd');
  const kernel = SmallKernel.create(direct, opt, X, Y, { batchSize: 4, shuffled: false, classify: true });
  assert.ok(kernel, 'the kernel takes a 2-2-1 network');
  assert.equal(kernel.run(new Float64Array(300).fill(0.5)).epochs, 300);
  kernel.save();
  assert.deepEqual(viaFit.toJSON(), direct.toJSON());
  // and the paths that need JavaScript between epochs do not use it
  const observed = make();
  observed.fit(X, Y, { epochs: 300, learningRate: 0.5, onEpochEnd: () => undefined });
  const reference = make();
  reference.fit(X, Y, { epochs: 300, learningRate: 0.5, compiled: false });
  assert.deepEqual(observed.toJSON(), reference.toJSON(), 'with a callback the generated JavaScript pass runs: reference bits');
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
  whole.fit(X, Y, { epochs: 100, optimizer: 'adam', learningRate: 0.01, compiled: false });
  assert.deepEqual(split.toJSON(), whole.toJSON());
  assert.equal(adam.getState().t, 100);
});

test('the kernel stops where the reference stops: divergence and the error threshold', () => {
  const X = Array.from({ length: 12 }, (_, i) => [i, -2 * i, i * i]);
  const Y = X.map(([a]) => [a * 100]);
  const make = () => new Network({ inputs: 3, layers: [{ units: 4, activation: 'relu' }, { units: 1, activation: 'linear' }], seed: 4 });
  const run = (compiled: boolean) => {
    const net = make();
    try {
      net.fit(X, Y, { epochs: 500, learningRate: 5, compiled });
      return { net, error: undefined };
    } catch (e) {
      return { net, error: e as DivergedError };
    }
  };
  const a = run(true);
  const b = run(false);
  assert.ok(a.error instanceof DivergedError && b.error instanceof DivergedError);
  assert.equal(a.error.epoch, b.error.epoch);
  assert.deepEqual(a.error.history.loss, b.error.history.loss);
  assert.deepEqual(a.net.toJSON(), b.net.toJSON(), 'the weights of the last good step');

  // a linear target a linear network can reach
  const P = Array.from({ length: 10 }, (_, i) => [Math.sin(i), Math.cos(2 * i)]);
  const T = P.map(([u, v]) => [0.5 * u - 0.25 * v + 0.1]);
  const lin = () => new Network({ inputs: 2, layers: [{ units: 3, activation: 'leaky-relu' }, { units: 1, activation: 'linear' }], loss: 'mse', seed: 9 });
  const ta = lin().fit(P, T, { epochs: 5000, learningRate: 0.1, errorThreshold: 1e-4 });
  const tb = lin().fit(P, T, { epochs: 5000, learningRate: 0.1, errorThreshold: 1e-4, compiled: false });
  assert.equal(ta.stopReason, 'threshold');
  assert.equal(ta.epochs, tb.epochs);
  assert.ok(ta.epochs < 5000);
});

test("the kernel's exp is within 2 ulp of the true value over its range", () => {
  if (Number.isNaN(kernelExp(0))) return; // no WebAssembly SIMD here
  let worst = 0;
  for (let i = 0; i <= 200000; i++) {
    const x = -708 + (1417 * i) / 200000;
    const got = kernelExp(x);
    const want = Math.exp(x);
    worst = Math.max(worst, Math.abs(got - want) / (want * Number.EPSILON));
  }
  assert.ok(worst <= 2, `worst error ${worst} ulp`);
  assert.ok(Number.isNaN(kernelExp(NaN)));
  assert.equal(kernelExp(0), 1);
  assert.ok(kernelExp(-1000) < 3e-307 && kernelExp(-1000) >= 0);
  assert.ok(kernelExp(1000) > 8e307 && Number.isFinite(kernelExp(1000)));
});
