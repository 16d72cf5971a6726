// Run by test/threads.test.ts in its own process (a hang must not stop the test runner): trains a
// float32 784-256-128-10 network on 4,096 rows in batches of 256, once on one thread, once on two
// where the helper thread calls process.exit() as it claims its 41st part; prints whether the
// weights are the same bits, and the warnings.
import { nodeWorkerFactory } from '../node/threads.js';
import { Matrix, Network, setThreads, setWorkerFactory, threadsReady } from '../node/index.js';
import { tuneThreads } from '../src/tensor/wasm.js';

const claim = 'const o = (t & 255) * step;';
const dying = (source: string) => {
  if (!source.includes(claim)) throw new Error(`the helper script no longer has '${claim}'`);
  return source.replace(claim, `globalThis.parts = (globalThis.parts || 0) + 1; if (globalThis.parts === 41) process.exit(0); ${claim}`);
};

function filled(rows: number, cols: number, seed: number, hot = false): Matrix {
  const m = new Matrix(rows, cols, 'float32');
  let s = seed;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      m.data[i * cols + j] = hot ? Number(j === i % cols) : s / 2 ** 32;
    }
  }
  return m;
}

const X = filled(4096, 784, 7);
const Y = filled(4096, 10, 0, true);
const train = () => {
  const net = new Network({ inputs: 784, layers: [{ units: 256, activation: 'relu' }, { units: 128, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'cross-entropy', seed: 5, dtype: 'float32' });
  net.fit(X, Y, { epochs: 1, batchSize: 256, learningRate: 0.05, shuffle: false });
  return new Uint32Array(Float32Array.from(net.toJSON().layers.flatMap((l) => [...l.weights.flat(), ...(l.biases ?? [])])).buffer);
};

const warnings: string[] = [];
process.on('warning', (w) => warnings.push(w.message));
setThreads(1);
const one = train();
tuneThreads({ minWork: 1, minPartWork: 1, partsPerThread: 4, adaptive: false });
setWorkerFactory((source) => nodeWorkerFactory(dying(source)), 2);
setThreads(2);
const ready = await threadsReady(5000);
const two = train();
await new Promise((r) => setTimeout(r, 50));
console.log(JSON.stringify({ ready, same: one.length === two.length && one.every((v, i) => v === two[i]), warnings }));
