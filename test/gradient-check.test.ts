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
