// The workloads' data: made once by the parent (run.mjs) and written to build/data/<W>.bin,
// then read by every child process (JS and C alike), so every library trains on the very same
// numbers. Format: int32 n, nin, nout, 0 (padding, so the values are 8-byte aligned); n*nin
// float64 inputs; n*nout float64 targets (row-major, little-endian).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DATA_DIR = join(BENCH_DIR, 'build', 'data');

/** mulberry32: a small, fast, seeded 32-bit generator returning floats in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function random() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand) {
  // Box–Muller
  let u = 0;
  while (u === 0) u = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

function xor() {
  const X = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const Y = [[0], [1], [1], [0]];
  return { X, Y };
}

/** Iris: 150 rows, each feature standardised (z-score, population std), one-hot species,
 * rows in one fixed shuffled order (harmless for full batch, fair to per-sample learners). */
function iris() {
  const text = readFileSync(join(BENCH_DIR, 'data', 'iris.csv'), 'utf8').trim().split(/\r?\n/);
  const header = text[0].split(',');
  if (header.length !== 5) throw new Error('unexpected iris.csv header');
  const species = ['setosa', 'versicolor', 'virginica'];
  const rows = text.slice(1).map((line) => {
    const cells = line.split(',');
    const s = species.indexOf(cells[4].trim());
    if (s < 0) throw new Error(`unknown species ${cells[4]}`);
    return { x: cells.slice(0, 4).map(Number), s };
  });
  if (rows.length !== 150) throw new Error(`iris.csv has ${rows.length} rows, expected 150`);
  for (let j = 0; j < 4; j++) {
    const mean = rows.reduce((a, r) => a + r.x[j], 0) / rows.length;
    const sd = Math.sqrt(rows.reduce((a, r) => a + (r.x[j] - mean) ** 2, 0) / rows.length);
    for (const r of rows) r.x[j] = (r.x[j] - mean) / sd;
  }
  const rand = mulberry32(2024);
  for (let i = rows.length - 1; i > 0; i--) {
    const k = Math.floor(rand() * (i + 1));
    [rows[i], rows[k]] = [rows[k], rows[i]];
  }
  return { X: rows.map((r) => r.x), Y: rows.map((r) => species.map((_, c) => (c === r.s ? 1 : 0))) };
}

/** W3: 10,000 synthetic 784-feature rows in 10 classes. Each class has a random prototype
 * (features uniform in [−1, 1]); a row is its class's prototype plus N(0, 1) noise per feature.
 * Zero-centred like standardised pixels, and learnable within the one epoch of W3: from a Glorot
 * start the loss falls from ln 10 ≈ 2.3 to about 0.2. */
export function synthetic(n = 10000, nin = 784, classes = 10, seed = 7) {
  const rand = mulberry32(seed);
  const protos = [];
  for (let c = 0; c < classes; c++) {
    const p = new Float64Array(nin);
    for (let j = 0; j < nin; j++) p[j] = 2 * rand() - 1;
    protos.push(p);
  }
  const X = [];
  const Y = [];
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rand() * classes);
    const x = new Array(nin);
    for (let j = 0; j < nin; j++) x[j] = protos[c][j] + gaussian(rand);
    X.push(x);
    const y = new Array(classes).fill(0);
    y[c] = 1;
    Y.push(y);
  }
  return { X, Y };
}

export const GENERATORS = { W1: xor, W2: iris, W3: () => synthetic() };

export function dataPath(id) {
  return join(DATA_DIR, `${id}.bin`);
}

const HEADER = 16;

export function writeData(id) {
  const { X, Y } = GENERATORS[id]();
  const n = X.length;
  const nin = X[0].length;
  const nout = Y[0].length;
  const buf = Buffer.alloc(HEADER + 8 * n * (nin + nout));
  buf.writeInt32LE(n, 0);
  buf.writeInt32LE(nin, 4);
  buf.writeInt32LE(nout, 8);
  let o = HEADER;
  for (const row of X) for (const v of row) { buf.writeDoubleLE(v, o); o += 8; }
  for (const row of Y) for (const v of row) { buf.writeDoubleLE(v, o); o += 8; }
  mkdirSync(DATA_DIR, { recursive: true });
  writeFileSync(dataPath(id), buf);
  return { n, nin, nout };
}

/** Reads build/data/<id>.bin without copying: n, nin, nout, and xs, ys as flat row-major
 * Float64Array views of the file. X and Y (plain number[][], the format most libraries take) are
 * made on first use only, so a child holds no more of the data than its library needs;
 * rows(count) gives the first count rows of X. */
export function readData(id) {
  const buf = readFileSync(dataPath(id));
  const n = buf.readInt32LE(0);
  const nin = buf.readInt32LE(4);
  const nout = buf.readInt32LE(8);
  if (buf.byteOffset % 8 !== 0) throw new Error('data buffer is not 8-byte aligned');
  const all = new Float64Array(buf.buffer, buf.byteOffset + HEADER, n * (nin + nout));
  const xs = all.subarray(0, n * nin);
  const ys = all.subarray(n * nin, n * (nin + nout));
  const toRows = (flat, cols, count) => {
    const out = new Array(count);
    for (let i = 0; i < count; i++) out[i] = Array.from(flat.subarray(i * cols, (i + 1) * cols));
    return out;
  };
  let X;
  let Y;
  return {
    n,
    nin,
    nout,
    xs,
    ys,
    get X() {
      return (X ??= toRows(xs, nin, n));
    },
    get Y() {
      return (Y ??= toRows(ys, nout, n));
    },
    rows: (count) => (X ? X.slice(0, count) : toRows(xs, nin, Math.min(count, n))),
  };
}
