// The library's own exp, log, log1p and tanh: close to the engine's, and the same bits in the
// float64 WebAssembly kernel, so every path trains to the same weights in every engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { exp, log, log1p, tanh } from '../src/nn/math.js';
import { kernelMath } from '../src/engine/kernel64.js';

const ulps = (got: number, want: number) => (got === want ? 0 : Math.abs(got - want) / (Math.abs(want) * Number.EPSILON));
const grid = (from: number, to: number, n: number) => Array.from({ length: n + 1 }, (_, i) => from + ((to - from) * i) / n);

test('exp, log, log1p and tanh are within 3 ulp of the engine', () => {
  const worst = { exp: 0, log: 0, log1p: 0, tanh: 0 };
  for (const x of grid(-708, 709, 200000)) worst.exp = Math.max(worst.exp, ulps(exp(x), Math.exp(x)));
  for (const x of grid(-740, 709, 200000)) worst.log = Math.max(worst.log, ulps(log(Math.exp(x) * 1.37), Math.log(Math.exp(x) * 1.37)));
  for (const x of grid(-60, 5, 100000)) worst.log1p = Math.max(worst.log1p, ulps(log1p(Math.exp(x)), Math.log1p(Math.exp(x))));
  for (const x of [...grid(-25, 25, 200000), ...grid(-1e-6, 1e-6, 20000)]) worst.tanh = Math.max(worst.tanh, ulps(tanh(x), Math.tanh(x)));
  for (const [name, u] of Object.entries(worst)) assert.ok(u <= 3, `${name}: ${u} ulp`);
});

test('special values', () => {
  assert.ok(Number.isNaN(exp(NaN)) && Number.isNaN(log(NaN)) && Number.isNaN(tanh(NaN)) && Number.isNaN(log(-1)));
  assert.equal(exp(0), 1);
  assert.equal(log(1), 0);
  assert.equal(log(0), -Infinity);
  assert.equal(log(Infinity), Infinity);
  assert.equal(log(5e-324), Math.log(5e-324));
  assert.equal(log1p(-1), -Infinity);
  assert.equal(log1p(1e-300), 1e-300);
  assert.ok(Object.is(tanh(-0), -0));
  assert.equal(tanh(30), 1);
  assert.equal(tanh(-30), -1);
  // beyond e^709 and below e^−708 exp is clamped: finite, and tiny rather than 0
  assert.ok(exp(1000) > 8e307 && Number.isFinite(exp(1000)));
  assert.ok(exp(-1000) > 0 && exp(-1000) < 3e-307);
});

test('the kernel computes the same bits as the JavaScript functions', (t) => {
  const k = kernelMath();
  if (!k) return t.skip('no WebAssembly SIMD here');
  const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
  fc.assert(
    fc.property(fc.double(), (x) => {
      for (const f of ['exp', 'log', 'log1p', 'tanh'] as const) {
        const js = { exp, log, log1p, tanh }[f](x);
        assert.ok(same(k[f](x), js), `${f}(${x}): kernel ${k[f](x)}, JavaScript ${js}`);
      }
    }),
    { numRuns: 20000 },
  );
  for (const x of [...grid(-710, 710, 50000), ...grid(-1, 1, 50000), 0, -0, Infinity, -Infinity, 5e-324, 2.2250738585072014e-308]) {
    for (const f of ['exp', 'log', 'log1p', 'tanh'] as const) assert.ok(same(k[f](x), { exp, log, log1p, tanh }[f](x)), `${f}(${x})`);
  }
});

test('powi: x^n by squaring, within n ulp of the engine (2 log2 n roundings, each error at most doubled by a squaring)', async () => {
  const { powi } = await import('../src/nn/math.js');
  assert.equal(powi(2, 10), 1024);
  assert.equal(powi(0.5, 0), 1);
  assert.equal(powi(3, 1), 3);
  assert.equal(powi(0.5, 1074), 5e-324);
  for (const x of [0.9, 0.999, 0.99, 1.01, 0.5, 0.123]) {
    for (let n = 0; n < 5000; n += 7) {
      const u = ulps(powi(x, n), Math.pow(x, n));
      assert.ok(u <= Math.max(2, n), `${x}^${n}: ${u} ulp`);
    }
  }
});
