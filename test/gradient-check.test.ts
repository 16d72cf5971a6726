// Backpropagation against numerical differentiation, over random networks (fast-check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gradientCheck, Network } from '../src/index.js';
import { buildGradientCase, gradientCaseArb, nearKink } from './arbitraries.js';

test('gradient check: backpropagation equals numerical gradients within 1e-6 on random networks', () => {
  let checked = 0;
  let worst = 0;
  fc.assert(
    fc.property(gradientCaseArb, (c) => {
      const { net, X, Y } = buildGradientCase(c);
      fc.pre(!nearKink(net, X));
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

test('gradient check with L1 and L2: the penalty l2/2·ΣW² + l1·Σ|W| on the weights has the gradient backpropagation adds', () => {
  let checked = 0;
  fc.assert(
    fc.property(gradientCaseArb, fc.double({ min: 0.001, max: 0.5, noNaN: true }), fc.double({ min: 0.001, max: 0.5, noNaN: true }), (c, l1, l2) => {
      const { net, X, Y } = buildGradientCase(c);
      // |W| has no derivative at 0: keep every weight at least 0.05 away from it
      for (const l of net.layers) l.W.data.forEach((w, i) => (l.W.data[i] = Math.abs(w) < 0.05 ? (w < 0 ? -0.05 : 0.05) : w));
      fc.pre(!nearKink(net, X));
      const r = gradientCheck(net, X, Y, { l1, l2 });
      checked += r.checked;
      assert.ok(r.maxRelativeError < 1e-6, `l1 ${l1}, l2 ${l2}: max relative error ${r.maxRelativeError} at ${r.worst.param}[${r.worst.index}]: analytic ${r.worst.analytic}, numeric ${r.worst.numeric}`);
    }),
    { numRuns: 150 },
  );
  assert.ok(checked > 500, `only ${checked} values checked`);
});

test('the penalty covers the weights of every layer and not the biases; a wrong option is named', () => {
  const net = new Network({ inputs: 2, layers: [{ units: 1, weights: [[0.5], [-2]], biases: [3] }, { units: 1, weights: [[4]], biases: [-7] }], seed: 1 });
  const X = [[0.1, 0.2]];
  const Y = [[1]];
  const plain = net.fit(X, Y, { epochs: 1, learningRate: 1e-9 }).loss[0];
  const net2 = new Network({ inputs: 2, layers: [{ units: 1, weights: [[0.5], [-2]], biases: [3] }, { units: 1, weights: [[4]], biases: [-7] }], seed: 1 });
  const reg = net2.fit(X, Y, { epochs: 1, learningRate: 1e-9, l1: 0.1, l2: 0.2 }).loss[0];
  // l2/2·(0.25 + 4 + 16) + l1·(0.5 + 2 + 4): the biases 3 and −7 are not in it
  assert.ok(Math.abs(reg - plain - (0.1 * 20.25 + 0.1 * 6.5)) < 1e-12, `${reg - plain}`);
  assert.throws(() => gradientCheck(net, X, Y, { l2: -1 }), /l2 must be a number ≥ 0/);
  assert.throws(() => net.fit(X, Y, { l1: Number.NaN }), /l1 must be a number ≥ 0.*got NaN/);
});
