// Float32 products on two threads (src/tensor/threads.ts, workers from node/threads.ts) must give
// the single-thread bits, on every shape and transpose, and fall back to one thread whenever
// helpers cannot run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { nodeWorkerFactory } from '../node/threads.js';
import { BackpropError, Matrix, matmul, Network, setThreads, setWorkerFactory, threadsReady } from '../src/index.js';
import { SplitChooser, splitProduct, tuneThreads, wasmKernels } from '../src/tensor/wasm.js';
import type { WorkerFactory } from '../src/tensor/threads.js';
import { root } from './helpers.js';

/** Split every product, however small, into as many parts as it has room for, every time. */
const SPLIT_ALL = { minWork: 1, minPartWork: 1, partsPerThread: 4, adaptive: false };

interface Case { m: number; n: number; k: number; ta: boolean; tb: boolean; alpha: number; beta: number }

const cases: Case[] = [
  // the products of a 784-256-128-10 network on batches of 64, and a batch of 1
  { m: 64, n: 256, k: 784, ta: false, tb: false, alpha: 1, beta: 0 },
  { m: 784, n: 256, k: 64, ta: true, tb: false, alpha: -0.1, beta: 1 },
  { m: 64, n: 784, k: 256, ta: false, tb: true, alpha: 1, beta: 0 },
  { m: 64, n: 10, k: 128, ta: false, tb: false, alpha: 1, beta: 0 },
  { m: 1, n: 256, k: 784, ta: false, tb: false, alpha: 1, beta: 0 },
  // odd shapes: primes, one row or column, k past a packed block, every transpose, alpha and beta
  ...[
    [7, 13, 301], [131, 17, 29], [1, 97, 263], [97, 1, 263], [45, 45, 513], [203, 11, 3], [5, 8, 1], [9, 1031, 7],
  ].flatMap(([m, n, k], i) => [false, true].flatMap((ta) => [false, true].map((tb) => ({ m, n, k, ta, tb, alpha: [1, 0.5, -2][i % 3], beta: [0, 1, 0.25][(i + Number(ta)) % 3] })))),
];

function filled(rows: number, cols: number, seed: number): Matrix {
  const m = new Matrix(rows, cols, 'float32');
  let s = seed >>> 0 || 1;
  for (let i = 0; i < m.data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    m.data[i] = s / 2 ** 32 - 0.5;
  }
  return m;
}

function product(c: Case, seed: number): Float32Array {
  const a = c.ta ? filled(c.k, c.m, seed) : filled(c.m, c.k, seed);
  const b = c.tb ? filled(c.n, c.k, seed + 1) : filled(c.k, c.n, seed + 1);
  const out = filled(c.m, c.n, seed + 2);
  matmul(a, b, out, c.ta, c.tb, c.alpha, c.beta);
  return out.data as Float32Array;
}

function assertSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i]) assert.fail(`${what}: element ${i} is ${actual[i]}, one thread gave ${expected[i]}`);
  }
}

const describe = (c: Case) => `${c.m}×${c.k}${c.ta ? 'ᵀ' : ''}·${c.k}×${c.n}${c.tb ? 'ᵀ' : ''} (alpha ${c.alpha}, beta ${c.beta})`;

test('two threads give the single-thread bits on the network products and odd shapes', async (t) => {
  setWorkerFactory(nodeWorkerFactory, 2);
  setThreads(1);
  const single = cases.map((c, i) => product(c, 1000 + i));
  assert.equal(wasmKernels()!.threads, 1);

  setThreads(2);
  const old = tuneThreads(SPLIT_ALL);
  t.after(() => {
    tuneThreads(old);
    setThreads('auto');
  });
  assert.equal(await threadsReady(), 2, 'the helper thread starts');
  for (const [i, c] of cases.entries()) {
    assert.ok(splitProduct(c.m, c.n, c.k, 2) || Math.max(c.m / 5, c.n / 8) < 2, `${describe(c)} is split`);
    assertSameBits(product(c, 1000 + i), single[i], describe(c));
  }
  // and with the default rule (only large products split), the same again
  tuneThreads(old);
  for (const [i, c] of cases.entries()) assertSameBits(product(c, 1000 + i), single[i], describe(c));
});

test('a float32 network trains to the same weights, bit for bit, on one and two threads', async (t) => {
  const X = filled(192, 300, 7);
  const Y = new Matrix(192, 10, 'float32');
  for (let i = 0; i < 192; i++) Y.data[i * 10 + (i % 10)] = 1;
  const train = () => {
    const net = new Network({ inputs: 300, layers: [{ units: 200, activation: 'sigmoid' }, { units: 10, activation: 'softmax' }], loss: 'cross-entropy', seed: 3, dtype: 'float32' });
    net.fit(X, Y, { epochs: 2, batchSize: 64, learningRate: 0.1, shuffle: false });
    return net.toJSON().layers.flatMap((l) => [...l.weights.flat(), ...(l.biases ?? [])]);
  };
  setWorkerFactory(nodeWorkerFactory, 2);
  setThreads(1);
  const one = train();
  setThreads(2);
  const old = tuneThreads(SPLIT_ALL);
  t.after(() => {
    tuneThreads(old);
    setThreads('auto');
  });
  assert.equal(await threadsReady(), 2);
  assert.deepEqual(train(), one);
});

test('without a way to start workers, or with setThreads(1), products run on one thread', () => {
  setWorkerFactory(null);
  assert.equal(wasmKernels()!.threads, 1);
  const c = cases[0];
  const expected = product(c, 5);
  setWorkerFactory(nodeWorkerFactory, 2);
  setThreads(1);
  assert.equal(wasmKernels()!.threads, 1);
  assertSameBits(product(c, 5), expected, 'setThreads(1)');
  setThreads('auto');
});

/** The helper script with one line changed (and a check that the line is still there). */
function sabotage(source: string, line: string, replacement: string): string {
  assert.ok(source.includes(line), `the helper script still has '${line}'`);
  return source.replace(line, replacement);
}

test('helpers that cannot start, never start, or fail in a part leave the products right', async (t) => {
  setThreads(1);
  const expected = cases.map((c, i) => product(c, 2000 + i));
  const old = tuneThreads(SPLIT_ALL);
  t.after(() => {
    tuneThreads(old);
    setWorkerFactory(nodeWorkerFactory, 2);
    setThreads('auto');
  });
  setThreads(2);
  const broken: Record<string, WorkerFactory> = {
    'a factory that throws': () => {
      throw new Error('no workers here');
    },
    'a worker that never runs': () => ({ postMessage() {}, terminate() {} }),
    'a worker whose WebAssembly does not instantiate': (source) => nodeWorkerFactory(sabotage(source, 'new WebAssembly.Instance(module,', 'new WebAssembly.Instance(null,')),
    'a worker whose parts throw': (source) => nodeWorkerFactory(sabotage(source, 'const o = (t & 255) * step;', "const o = (t & 255) * step; x = { gemm() { throw new Error('broken'); } };")),
  };
  for (const [what, factory] of Object.entries(broken)) {
    setWorkerFactory(factory, 2);
    const ready = await threadsReady(what === 'a worker whose parts throw' ? 5000 : 300);
    assert.equal(ready, what === 'a worker whose parts throw' ? 2 : 1, `${what}: threads`);
    for (const [i, c] of cases.entries()) assertSameBits(product(c, 2000 + i), expected[i], `${what}: ${describe(c)}`);
    // the failing helper took parts at some point (the caller then did the product again): not used after that
    for (let i = 0; i < 500 && wasmKernels()!.threads > 1; i++) assertSameBits(product(cases[0], 2000), expected[0], `${what}: again`);
    assert.equal(wasmKernels()!.threads, 1, `${what}: one thread left`);
  }
});

test('products are split where splitting has been the faster way for that shape, and tried again now and then', () => {
  const chooser = new SplitChooser();
  const run = (key: string, oneMs: number, twoMs: number) => {
    const split = chooser.split(key);
    chooser.record(key, split, split ? twoMs : oneMs);
    return split;
  };
  // both ways in turn (split first) until each has 3 times, then the faster one, the other one product in 32
  const idle = Array.from({ length: 64 }, () => run('idle', 1, 0.6));
  assert.deepEqual(idle.slice(0, 7), [true, false, true, false, true, false, true]);
  assert.equal(idle.filter((s) => !s).length, 3 + 2); // products 2, 4, 6, then 32 and 64
  const busy = Array.from({ length: 64 }, () => run('busy', 1, 1.4));
  assert.equal(busy.filter((s) => s).length, 3 + 2);
  // within 10 %, split (the way that wins on an idle machine)
  assert.equal(Array.from({ length: 64 }, () => run('close', 1, 1.05)).filter((s) => s).length, 3 + 58 - 2);
  // a slow first product (before V8 optimises the kernels) does not count against its way
  let first = true;
  const warming = Array.from({ length: 40 }, () => {
    const split = chooser.split('warming');
    chooser.record('warming', split, split ? (first ? 20 : 0.6) : 1);
    if (split) first = false;
    return split;
  });
  assert.ok(warming.slice(8).filter((s) => s).length >= 28, 'split once both ways are known');
  // the machine gets busy: the occasional split product notices, and single products take over
  const changed = Array.from({ length: 200 }, () => run('idle', 1, 3));
  assert.ok(changed.slice(100).every((s, i) => !s || (64 + 100 + i + 1) % 32 === 0), 'one thread after a while');
  // splitProduct: only large products, along the longer side, at multiples of the micro-tile
  assert.equal(splitProduct(64, 128, 256, 2), null);
  assert.deepEqual(splitProduct(64, 256, 784, 2), { rows: false, step: 128, parts: 2 });
  assert.deepEqual(splitProduct(784, 256, 64, 2), { rows: true, step: 395, parts: 2 });
  assert.equal(splitProduct(64, 256, 784, 1), null);
});

test('setThreads and BACKPROP_THREADS take a whole number or auto', () => {
  assert.throws(() => setThreads(0), BackpropError);
  assert.throws(() => setThreads(1.5), BackpropError);
  assert.throws(() => setThreads('two' as never), /threads must be 'auto' or a whole number/);
  const script = "const bp = await import('./node/index.ts'); console.log(await bp.threadsReady());";
  const run = (env: string) => spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, BACKPROP_THREADS: env } });
  const one = run('1');
  assert.equal(one.status, 0, one.stderr);
  assert.equal(one.stdout.trim(), '1');
  // a bad value is not an error at import: the library warns and keeps 'auto' (the command line refuses it)
  const bad = run('lots');
  assert.equal(bad.status, 0, bad.stderr);
  assert.match(bad.stderr, /BackpropWarning: BACKPROP_THREADS must be 'auto' or a whole number from 1 to 64, got 'lots'/);
});

test('a Node process whose helpers are up exits when its work is done', () => {
  // no setThreads(1), no close: the unref'ed helper sleeping in Atomics.wait must not keep it alive
  const script = [
    "const bp = await import('./node/index.ts');",
    'bp.setThreads(2);',
    'const a = new bp.Matrix(256, 512, new Float32Array(256 * 512).fill(0.5)), b = new bp.Matrix(512, 256, new Float32Array(512 * 256).fill(0.25));',
    'const c = new bp.Matrix(256, 256, "float32");',
    'bp.matmul(a, b, c);',
    'console.log(await bp.threadsReady());',
    'bp.matmul(a, b, c);',
    'console.log(c.get(0, 0));',
  ].join('\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.signal, null, 'the process ended by itself');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['2', String(512 * 0.125)]);
});

test('a helper that dies in the middle of a step: the step is finished on this thread, with the same bits, and said once', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/dead-helper.ts'], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  assert.equal(r.signal, null, `the run hung (killed after 240 s): ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.ready, 2, 'the helper started');
  assert.equal(out.same, true, 'the weights are the single-thread bits');
  assert.equal(out.warnings.length, 1, JSON.stringify(out.warnings));
  assert.match(out.warnings[0], /^a helper thread of the float32 products stopped \(exit code 0\): the products go on on one thread$/);
});
