// network.toFunction(): the generated, dependency-free predict function computes what predict does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Network } from '../src/index.js';
import { buildNetwork, networkArb, scaledNetworkCases } from './arbitraries.js';
import { assertWithin, checkStandalone, checkStandaloneScalings, evaluateSource } from './export-checks.js';

test('the generated function gives predict\'s outputs within 1e-12 on random networks of every activation', () => {
  const seen = new Set<string>();
  fc.assert(
    fc.property(networkArb, (c) => checkStandalone(c).forEach((a) => seen.add(a))),
    { numRuns: 200 },
  );
  assert.equal(seen.size, 7, `activations covered: ${[...seen].join(', ')}`);
});

test('with the scalings written in, the function takes raw features and answers in the target units', () => {
  fc.assert(fc.property(scaledNetworkCases(), checkStandaloneScalings), { numRuns: 100 });
});

test('the module format imports as an ES module with a default and a named export', async () => {
  const { net, X } = buildNetwork({ inputs: 3, layers: [{ units: 4, activation: 'tanh', bias: true }, { units: 2, activation: 'softmax', bias: true }], range: 1, rows: 5, seed: 7 });
  const source = net.toFunction({ format: 'module' });
  const mod = await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);
  assert.equal(mod.default, mod.predict);
  assertWithin(mod.default(X), net.predict(X), 1e-12, 'module');
});

test('the source needs nothing: no imports, and it runs where the usual globals are hidden', () => {
  const net = new Network({ inputs: 2, layers: [{ units: 3, activation: 'leaky-relu' }, { units: 1, activation: 'step' }] });
  assert.doesNotMatch(net.toFunction({ format: 'module' }), /\bimport\b|\brequire\(/);
  const predict = new Function('globalThis', 'window', 'self', 'process', 'require', `'use strict'; return ${net.toFunction()};`)() as (input: unknown) => unknown;
  assert.deepEqual(predict([[0.5, -0.25]]), net.predict([[0.5, -0.25]]));
});

test('the generated function says what is wrong with its input', () => {
  const predict = evaluateSource(new Network({ inputs: 2, layers: [{ units: 1 }] }).toFunction());
  assert.throws(() => predict([1, 2, 3]), /expected a row of 2 numbers, got 3 values/);
  assert.throws(() => predict([[1, 2], [1]]), /expected a row of 2 numbers, got 1 value$/);
  assert.throws(() => predict([1, NaN]), /input 2 is NaN, expected a finite number/);
  assert.throws(() => predict(null), /expected a row of numbers or an array of rows/);
  assert.deepEqual(predict([]), []);
});
