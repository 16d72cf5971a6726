// The float32 path (WebAssembly SIMD products where they load, JavaScript loops otherwise) must
// agree with the float64 reference within float32 tolerance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Matrix, matmul, Network } from '../src/index.js';
import { disableWasm, wasmKernels } from '../src/tensor/wasm.js';

test('the WebAssembly kernels load here', () => {
  assert.ok(wasmKernels(), 'WebAssembly SIMD is available in Node 20');
});

test('float32 products (WebAssembly) equal float64 products within float32 tolerance, for every transpose', () => {
  const dims = fc.record({ m: fc.integer({ min: 1, max: 70 }), k: fc.integer({ min: 1, max: 300 }), n: fc.integer({ min: 1, max: 40 }), ta: fc.boolean(), tb: fc.boolean(), alpha: fc.constantFrom(1, 0.5, -2), beta: fc.constantFrom(0, 1, 0.25), seed: fc.nat() });
  fc.assert(
    fc.property(dims, ({ m, k, n, ta, tb, alpha, beta, seed }) => {
      let s = seed + 1;
      const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
      const a = new Matrix(ta ? k : m, ta ? m : k);
      const b = new Matrix(tb ? n : k, tb ? k : n);
      const c = new Matrix(m, n);
      for (const x of [a, b, c]) x.data.forEach((_, i) => (x.data[i] = Math.fround(r())));
      const c32 = c.to('float32');
      matmul(a.to('float32'), b.to('float32'), c32, ta, tb, alpha, beta);
      matmul(a, b, c, ta, tb, alpha, beta);
      const tol = 2e-6 * Math.sqrt(k) * 4;
      c.data.forEach((v, i) => assert.ok(Math.abs(v - c32.data[i]) <= tol * (1 + Math.abs(v)), `${v} vs ${c32.data[i]}`));
    }),
    { numRuns: 150 },
  );
});

test('a float32 network trains like the float64 one, on both float32 backends', () => {
  const X = Array.from({ length: 96 }, (_, i) => Array.from({ length: 40 }, (_, j) => Math.sin(i * (j + 1) * 0.37)));
  const Y = X.map((_, i) => [0, 1, 2, 3].map((k) => (k === i % 4 ? 1 : 0)));
  const make = (dtype: 'float32' | 'float64') => new Network({ inputs: 40, layers: [{ units: 64, activation: 'tanh' }, { units: 4, activation: 'softmax' }], loss: 'cross-entropy', seed: 9, dtype });
  const ref = make('float64');
  const f32wasm = make('float32');
  const f32js = make('float32');
  const opts = { epochs: 20, batchSize: 32, learningRate: 0.1 } as const;
  const h64 = ref.fit(X, Y, opts);
  const hw = f32wasm.fit(X, Y, opts);
  disableWasm();
  try {
    const hj = f32js.fit(X, Y, opts);
    for (const h of [hw, hj]) h.loss.forEach((l, i) => assert.ok(Math.abs(l - h64.loss[i]) < 1e-4 * (1 + h64.loss[i]), `epoch ${i + 1}: ${l} vs ${h64.loss[i]}`));
  } finally {
    disableWasm(false);
  }
  const p64 = ref.predict(X).flat();
  f32wasm.predict(X).flat().forEach((v, i) => assert.ok(Math.abs(v - p64[i]) < 1e-4));
  assert.equal(f32wasm.toJSON().dtype, 'float32');
  assert.equal(Network.fromJSON(f32wasm.toJSON()).dtype, 'float32');
});
