// network.toFunction(): the generated, dependency-free predict function computes what predict does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyScaler, invertScaler, Matrix, Network } from '../src/index.js';
import { buildNetwork, networkArb, scalingArb } from './arbitraries.js';

type Predict = (input: ArrayLike<number> | ArrayLike<ArrayLike<number>>) => number[] | number[][];

/** The function an 'expression' source evaluates to. */
function evaluate(source: string): Predict {
  return new Function(`'use strict'; return ${source};`)() as Predict;
}

/** Every output within 1e-12 of predict's (relative for large values). */
function assertSame(actual: number[][], expected: number[][], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: rows`);
  expected.forEach((row, i) => {
    assert.equal(actual[i].length, row.length, `${what}: width of row ${i}`);
    row.forEach((e, j) => {
      const d = Math.abs(actual[i][j] - e);
      assert.ok(d <= 1e-12 * Math.max(1, Math.abs(e)), `${what}[${i}][${j}] = ${actual[i][j]}, predict gives ${e}`);
    });
  });
}

test('the generated function gives predict\'s outputs within 1e-12 on random networks of every activation', () => {
  const seen = new Set<string>();
  fc.assert(
    fc.property(networkArb, (c) => {
      const { net, X } = buildNetwork(c);
      net.layers.forEach((l) => seen.add(l.activation.name));
      const predict = evaluate(net.toFunction());
      const expected = net.predict(X);
      assertSame(predict(X) as number[][], expected, 'rows');
      assertSame([predict(X[0]) as number[]], [expected[0]], 'one row');
      assertSame(predict(X.map((r) => Float64Array.from(r))) as number[][], expected, 'typed rows');
    }),
    { numRuns: 200 },
  );
  assert.equal(seen.size, 7, `activations covered: ${[...seen].join(', ')}`);
});

test('with the scalings written in, the function takes raw features and answers in the target units', () => {
  const arb = networkArb.chain((c) => fc.tuple(fc.constant(c), scalingArb(c.inputs), scalingArb(c.layers[c.layers.length - 1].units)));
  fc.assert(
    fc.property(arb, ([c, pre, post]) => {
      const { net, X } = buildNetwork(c);
      const features = { kind: 'standard' as const, ...pre };
      const raw = invertScaler(features, Matrix.from(X)).toArray();
      const expected = invertScaler({ kind: 'standard', ...post }, Matrix.from(net.predict(applyScaler(features, Matrix.from(raw))))).toArray();
      assertSame(evaluate(net.toFunction({ preprocess: pre, postprocess: post }))(raw) as number[][], expected, 'raw rows');
    }),
    { numRuns: 100 },
  );
});

test('the module format imports as an ES module with a default and a named export', async () => {
  const { net, X } = buildNetwork({ inputs: 3, layers: [{ units: 4, activation: 'tanh', bias: true }, { units: 2, activation: 'softmax', bias: true }], range: 1, rows: 5, seed: 7 });
  const source = net.toFunction({ format: 'module' });
  const mod = await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);
  assert.equal(mod.default, mod.predict);
  assertSame(mod.default(X), net.predict(X), 'module');
});

test('the source needs nothing: no imports, and it runs where the usual globals are hidden', () => {
  const net = new Network({ inputs: 2, layers: [{ units: 3, activation: 'leaky-relu' }, { units: 1, activation: 'step' }] });
  assert.doesNotMatch(net.toFunction({ format: 'module' }), /\bimport\b|\brequire\(/);
  const predict = new Function('globalThis', 'window', 'self', 'process', 'require', `'use strict'; return ${net.toFunction()};`)() as Predict;
  assert.deepEqual(predict([[0.5, -0.25]]), net.predict([[0.5, -0.25]]));
});

test('the generated function says what is wrong with its input', () => {
  const predict = evaluate(new Network({ inputs: 2, layers: [{ units: 1 }] }).toFunction());
  assert.throws(() => predict([1, 2, 3]), /expected a row of 2 numbers, got 3 values/);
  assert.throws(() => predict([[1, 2], [1]]), /expected a row of 2 numbers, got 1 value$/);
  assert.throws(() => predict([1, NaN]), /input 2 is NaN, expected a finite number/);
  assert.throws(() => predict(null as unknown as number[]), /expected a row of numbers or an array of rows/);
  assert.deepEqual(predict([]), []);
});
