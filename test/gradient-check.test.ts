// Backpropagation against numerical differentiation, over random networks (fast-check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gradientCheck, LOSS_NAMES, Network, trace, type LossName } from '../src/index.js';

const HIDDEN = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'linear', 'softmax'] as const;
const KINKED = new Set(['relu', 'leaky-relu']);

/** The output activations a loss accepts (the cross-entropies need their fused activation). */
function outputsFor(loss: LossName): string[] {
  if (loss === 'cross-entropy') return ['softmax'];
  if (loss === 'binary-cross-entropy') return ['sigmoid'];
  return ['sigmoid', 'tanh', 'linear', 'softmax', 'leaky-relu'];
}

const caseArb = fc
  .record({
    inputs: fc.integer({ min: 1, max: 4 }),
    hidden: fc.array(fc.record({ units: fc.integer({ min: 1, max: 5 }), activation: fc.constantFrom(...HIDDEN) }), { minLength: 0, maxLength: 3 }),
    outputs: fc.integer({ min: 2, max: 4 }),
    loss: fc.constantFrom(...LOSS_NAMES),
    outChoice: fc.nat(),
    bias: fc.boolean(),
    rows: fc.integer({ min: 1, max: 5 }),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
  })
  .map((c) => {
    const outs = outputsFor(c.loss);
    return { ...c, outActivation: outs[c.outChoice % outs.length] };
  });

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function build(c: Case) {
  const net = new Network({
    inputs: c.inputs,
    loss: c.loss,
    bias: c.bias,
    seed: c.seed,
    init: 'uniform',
    initRange: 1,
    layers: [...c.hidden, { units: c.outputs, activation: c.outActivation }],
  });
  let s = c.seed;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const X = Array.from({ length: c.rows }, () => Array.from({ length: c.inputs }, () => rand() * 4 - 2));
  const Y = Array.from({ length: c.rows }, () => {
    if (c.loss === 'cross-entropy') {
      const k = Math.floor(rand() * c.outputs);
      return Array.from({ length: c.outputs }, (_, j) => (j === k ? 1 : 0));
    }
    return Array.from({ length: c.outputs }, () => rand());
  });
  return { net, X, Y };
}

/** True when some relu or leaky relu input lies so near 0 that a finite difference straddles the kink. */
function nearKink(net: Network, X: number[][], Y: number[][]): boolean {
  const t = trace(net, X, Y);
  const n = net.layers.length;
  return net.layers.some((l, i) => {
    if (!KINKED.has(l.activation.name)) return false;
    const name = i === n - 1 ? 'O_in' : n === 2 ? 'H_in' : `H${i + 1}_in`;
    return t.get(name)!.flat().some((z) => Math.abs(z) < 0.02);
  });
}

test('gradient check: backpropagation equals numerical gradients within 1e-6 on random networks', () => {
  let checked = 0;
  let worst = 0;
  fc.assert(
    fc.property(caseArb, (c) => {
      const { net, X, Y } = build(c);
      fc.pre(!nearKink(net, X, Y));
      const r = gradientCheck(net, X, Y);
      checked += r.checked;
      worst = Math.max(worst, r.maxRelativeError);
      assert.ok(
        r.maxRelativeError < 1e-6,
        `max relative error ${r.maxRelativeError} at ${r.worst.param}[${r.worst.index}]: analytic ${r.worst.analytic}, numeric ${r.worst.numeric}`,
      );
    }),
    { numRuns: 300 },
  );
  assert.ok(checked > 1000, `only ${checked} values checked`);
  console.log(`# gradient check: ${checked} weights, worst relative error ${worst.toExponential(2)}`);
});

test('gradient check finds a wrong gradient', () => {
  const net = new Network({ inputs: 2, layers: [{ units: 3 }, { units: 1 }], seed: 3 });
  const X = [[0.3, -0.7], [1.2, 0.4]];
  const Y = [[1], [0]];
  assert.ok(gradientCheck(net, X, Y).maxRelativeError < 1e-6);
  // Break the backward pass of the first layer: its delta is doubled.
  const layer = net.layers[0];
  const original = layer.delta.bind(layer);
  layer.delta = (buf) => {
    original(buf);
    for (let i = 0; i < buf.delta.data.length; i++) buf.delta.data[i] *= 2;
  };
  const r = gradientCheck(net, X, Y);
  assert.ok(r.maxRelativeError > 0.1, `${r.maxRelativeError}`);
  assert.equal(r.worst.param.startsWith('W1') || r.worst.param.startsWith('b1'), true);
});
