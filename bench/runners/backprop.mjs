// backprop adapter: the library as built by the repository root (`npm ci` or `npm run build`
// there writes dist/). Imported by relative path so bench/ needs no link to the root package:
// the main entry, what `import 'backprop'` loads (not backprop/onnx), as a user who trains would.
import { timeGemm } from '../lib/gemm-timer.mjs';

const bp = await import('../../dist/src/index.js');
// Threads: node/threads.ts is what the "node" condition of package.json loads with the main entry
// (worker threads for the float32 products); a library entry with `threads` (backprop-1) pins it.
await import('../../dist/node/threads.js');
async function useThreads(lib) {
  if (lib?.threads) bp.setThreads(lib.threads);
  return bp.threadsReady(); // the helpers' start-up is set-up, not timed (like the peers' backend init)
}

export async function prepare(spec, data, lib) {
  const L = spec.sizes.length - 1;
  // float32 where every peer computes in float32 (the MLP); the float64 reference elsewhere
  const dtype = spec.id === 'W3' ? 'float32' : 'float64';
  const net = new bp.Network({
    dtype,
    inputs: spec.sizes[0],
    layers: spec.sizes.slice(1).map((units, i) => ({ units, activation: i < L - 1 ? spec.hidden : spec.output })),
    loss: spec.loss,
    seed: 1,
  });
  // The library's Matrix is row-major Float64Array: wrap the data as it is (not timed, as the other
  // adapters' conversions are not).
  const X = new bp.Matrix(data.n, data.nin, data.xs).to(dtype);
  const Y = new bp.Matrix(data.n, data.nout, data.ys).to(dtype);
  const threads = dtype === 'float32' ? await useThreads(lib) : 1;
  return {
    train() {
      net.fit(X, Y, {
        epochs: spec.epochs,
        batchSize: spec.batchSize,
        learningRate: spec.learningRate,
        optimizer: 'sgd',
        shuffle: false,
      });
    },
    predict(rows) {
      return net.predict(rows);
    },
    info: `net.fit, optimizer sgd, dtype ${dtype}${dtype === 'float32' ? ` (WebAssembly SIMD products, ${threads === 1 ? 'one thread' : `${threads} threads`})` : ' (the float64 WebAssembly kernel: every epoch in WebAssembly, thousands per call)'}`,
  };
}

export const gemmUnavailable = 'the library exports no matmul';

let gemmThreads = 1;
export async function gemm(shapes, minSeconds, lib) {
  if (typeof bp.matmul !== 'function' || typeof bp.Matrix !== 'function') return null;
  gemmThreads = await useThreads(lib);
  let seed = 12345;
  const fill = (m) => {
    for (let i = 0; i < m.data.length; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      m.data[i] = (seed >>> 8) / 16777216 - 0.5;
    }
    return m;
  };
  return timeGemm(shapes, minSeconds, (sh) => {
    const a = fill(sh.transA ? new bp.Matrix(sh.K, sh.M, 'float32') : new bp.Matrix(sh.M, sh.K, 'float32'));
    const b = fill(sh.transB ? new bp.Matrix(sh.N, sh.K, 'float32') : new bp.Matrix(sh.K, sh.N, 'float32'));
    const c = new bp.Matrix(sh.M, sh.N, 'float32');
    return () => bp.matmul(a, b, c, sh.transA, sh.transB);
  });
}

/** What was timed, for the table's notes. */
export function gemmInfo() {
  return `bp.matmul on float32 matrices (WebAssembly SIMD kernel, copies in and out included, ${gemmThreads === 1 ? 'one thread' : `${gemmThreads} threads for products from 4·10⁶ multiply-adds`})`;
}
