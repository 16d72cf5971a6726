// The pieces of training on data larger than memory: the cache file and its checks, a full disk,
// the streaming statistics, the hashed split, the block order, and the block trainer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CacheReader, CacheWriter, CacheProblem } from '../cli/cache/cache-file.js';
import { openOrBuildCache } from '../cli/cache/build-cache.js';
import { RunningStats } from '../src/data/running-stats.js';
import { fitScaler } from '../src/data/preprocess.js';
import { isTestRow } from '../src/data/hashed-split.js';
import { epochGroups, groupRowOrder } from '../src/train/block-order.js';
import { BlockTrainer, type BlockSource } from '../src/train/block-trainer.js';
import { Network } from '../src/nn/network.js';
import { Matrix } from '../src/tensor/matrix.js';
import { Random } from '../src/tensor/random.js';
import { BackpropError } from '../src/errors.js';

function folder(): string {
  const d = mkdtempSync(join(tmpdir(), 'backprop-disk-cache-'));
  process.on('exit', () => rmSync(d, { recursive: true, force: true }));
  return d;
}

const meta = (schema = { features: ['a', 'b'], target: 'y', kind: 'classification' as const, classes: ['p', 'q'] }) => ({
  fingerprint: '01234567',
  key: 'k',
  digest: 'd',
  source: 'd.csv',
  schema,
  seed: 1,
  testSplit: 0.25,
});

test('a cache written and read back: the same numbers, block by block, and its statistics those of the training rows', () => {
  const dir = folder();
  const rows = 50;
  const w = new CacheWriter(join(dir, 'c.bpcache'), join(dir, 'c.tmp'), 2, 16, { seed: 1, testSplit: 0.25 });
  const values: number[] = [];
  for (let i = 0; i < rows * 2; i++) {
    values.push(Math.sin(i) * 10);
    w.push(values[i]);
  }
  const targets = Array.from({ length: rows }, (_, i) => i % 2);
  w.finish(targets, meta());
  assert.deepEqual(readdirSync(dir), ['c.bpcache']);
  const r = CacheReader.open(join(dir, 'c.bpcache'));
  assert.equal(r.blocks, 4);
  const f = new Float64Array(32);
  const t = new Float64Array(16);
  const got: number[] = [];
  const gotT: number[] = [];
  for (let b = 0; b < r.blocks; b++) {
    const n = r.readBlock(b, f, t);
    got.push(...f.subarray(0, n * 2));
    gotT.push(...t.subarray(0, n));
  }
  assert.deepEqual(got, values);
  assert.deepEqual(gotT, targets);
  const train = Int32Array.from({ length: rows }, (_, i) => i).filter((i) => !isTestRow(1, i, 0.25));
  assert.equal(r.meta.trainRows, train.length);
  const want = fitScaler(new Matrix(rows, 2, Float64Array.from(values)), 'standard', undefined, train);
  r.meta.stats.mean.forEach((m, j) => assert.ok(Math.abs(m - want.shift[j]) < 1e-12));
  r.close();
});

test('a full disk while writing the cache: one clear line, and the partial cache is removed', () => {
  const dir = folder();
  let written = 0;
  const full = (fd: number, bytes: Uint8Array, offset: number, length: number) => {
    if (written + length > 2000) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    written += length;
    return writeSync(fd, bytes, offset, length);
  };
  const w = new CacheWriter(join(dir, 'c.bpcache'), join(dir, 'c.tmp'), 3, 8, { seed: 1, testSplit: 0 }, full);
  assert.throws(
    () => {
      for (let i = 0; i < 3000; i++) w.push(i);
    },
    (e: unknown) => e instanceof BackpropError && /^could not write the data cache '.*c\.bpcache': the disk is full \(ENOSPC\); the partial cache was removed/.test(e.message),
  );
  assert.deepEqual(readdirSync(dir), []);
});

test('a full disk while reading a CSV file into the cache: the same line, no cache left in the folder', async () => {
  const dir = folder();
  const csv = join(dir, 'd.csv');
  writeFileSync(csv, 'a,b,y\n' + Array.from({ length: 5000 }, (_, i) => `${i},${i % 7},${i % 2 ? 'p' : 'q'}`).join('\n') + '\n');
  const cacheDir = join(dir, 'cache');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(cacheDir);
  let written = 0;
  const full = (fd: number, bytes: Uint8Array, offset: number, length: number) => {
    if ((written += length) > 100_000) throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
    return writeSync(fd, bytes, offset, length);
  };
  await assert.rejects(
    openOrBuildCache(csv, 'd.csv', { dir: cacheDir, kept: true, dispose() {} }, { task: 'auto', seed: 1, testSplit: 0.2 }, () => {}, full),
    /could not write the data cache .*: the disk is full \(ENOSPC\)/,
  );
  assert.deepEqual(readdirSync(cacheDir), []);
});

test('a file that is not a cache, or a cut one, is a CacheProblem naming why', () => {
  const dir = folder();
  writeFileSync(join(dir, 'x.bpcache'), 'not a cache at all, but long enough to have a head and a tail');
  assert.throws(() => CacheReader.open(join(dir, 'x.bpcache')), (e: unknown) => e instanceof CacheProblem && /not a backprop data cache/.test(e.message));
  assert.ok(existsSync(join(dir, 'x.bpcache')));
});

test('RunningStats gives the scaling fitScaler fits (to rounding), for any values', () => {
  fc.assert(
    fc.property(fc.array(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 60 }), (rows) => {
      const s = new RunningStats(3);
      rows.forEach((r) => r.forEach((v, j) => s.add(j, v)));
      const m = new Matrix(rows.length, 3, Float64Array.from(rows.flat()));
      for (const kind of ['standard', 'minmax'] as const) {
        const a = s.scaler(kind);
        const b = fitScaler(m, kind);
        for (let j = 0; j < 3; j++) {
          assert.ok(Math.abs(a.shift[j] - b.shift[j]) <= 1e-9 * Math.max(1, Math.abs(b.shift[j])), `${kind} shift ${a.shift[j]} ${b.shift[j]}`);
          assert.ok(Math.abs(a.scale[j] - b.scale[j]) <= 1e-6 * Math.max(1, Math.abs(b.scale[j])), `${kind} scale ${a.scale[j]} ${b.scale[j]}`);
        }
      }
    }),
  );
});

test('the hashed split holds about the test fraction, and depends on the seed', () => {
  const n = 100_000;
  let test1 = 0;
  let same = 0;
  for (let i = 0; i < n; i++) {
    const a = isTestRow(1, i, 0.2);
    if (a) test1++;
    if (a === isTestRow(2, i, 0.2)) same++;
  }
  assert.ok(Math.abs(test1 / n - 0.2) < 0.01, `${test1 / n}`);
  assert.ok(same < n * 0.75, 'another seed, another split');
  assert.equal(isTestRow(1, 5, 0), false);
});

test('block order: every block once per epoch in groups, a permutation of rows per group, all from the seed and position', () => {
  const g = epochGroups(10, 3, 7, 1);
  assert.deepEqual(g.map((x) => x.length), [3, 3, 3, 1]);
  assert.deepEqual([...g.flatMap((x) => [...x])].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(epochGroups(10, 3, 7, 1), g);
  assert.notDeepEqual(epochGroups(10, 3, 7, 2), g);
  const o = groupRowOrder(100, 7, 1, 2);
  assert.deepEqual([...o].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(groupRowOrder(100, 7, 1, 2), o);
  assert.notDeepEqual(groupRowOrder(100, 7, 1, 3), o);
});

/** Blocks of a fixed in-memory data set, for the block trainer. */
function memoryBlocks(X: Matrix, Y: Matrix, blockRows: number): BlockSource {
  return {
    blocks: Math.ceil(X.rows / blockRows),
    trainRows(blocks, order, lead = 0) {
      const rows: number[] = [];
      for (const b of blocks) for (let i = b * blockRows; i < Math.min(X.rows, (b + 1) * blockRows); i++) rows.push(i);
      const idx = order(rows.length);
      const x = new Matrix(lead + rows.length, X.cols);
      const y = new Matrix(lead + rows.length, Y.cols);
      rows.forEach((r, k) => {
        x.data.set(X.data.subarray(r * X.cols, (r + 1) * X.cols), (lead + idx[k]) * X.cols);
        y.data.set(Y.data.subarray(r * Y.cols, (r + 1) * Y.cols), (lead + idx[k]) * Y.cols);
      });
      return { X: x, Y: y };
    },
  };
}

function xorish(n: number): { X: Matrix; Y: Matrix } {
  const rng = new Random(3);
  const X = new Matrix(n, 2);
  const Y = new Matrix(n, 2);
  for (let i = 0; i < n; i++) {
    const a = rng.uniform(-1, 1);
    const b = rng.uniform(-1, 1);
    X.data[2 * i] = a;
    X.data[2 * i + 1] = b;
    Y.data[2 * i + (a * b > 0 ? 1 : 0)] = 1;
  }
  return { X, Y };
}

const net = () => new Network({ inputs: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'cross-entropy', seed: 5 });

for (const engine of ['reference', 'wasm'] as const) {
  test(`block trainer (${engine}): the same weights for the same seed, and a run stopped between groups and restored ends with them`, async () => {
    const { X, Y } = xorish(1000);
    const options = { batchSize: 24, learningRate: 0.05, optimizer: 'adam' as const, seed: 9, blocksPerGroup: 2, engine };
    const run = async () => {
      const n = net();
      const t = new BlockTrainer(n, memoryBlocks(X, Y, 100), options);
      for (let e = 0; e < 3; e++) await t.runEpoch();
      return n.params().map((p) => Array.from(p.value));
    };
    const a = await run();
    assert.deepEqual(await run(), a);
    // stopped after the second group of epoch 2, then carried on by a new trainer from its state
    const n1 = net();
    const t1 = new BlockTrainer(n1, memoryBlocks(X, Y, 100), options);
    await t1.runEpoch();
    let groups = 0;
    assert.equal(await t1.runEpoch(() => ++groups === 2), undefined);
    const state = JSON.parse(JSON.stringify(t1.state()));
    assert.equal(state.group, 2);
    assert.equal(state.carry.rows, 400 % 24, 'the rows past the last whole batch are carried to the next group');
    const n2 = net();
    const t2 = new BlockTrainer(n2, memoryBlocks(X, Y, 100), options);
    t2.restore(state);
    await t2.runEpoch();
    const last = await t2.runEpoch();
    assert.equal(last!.epoch, 3);
    assert.deepEqual(n2.params().map((p) => Array.from(p.value)), a);
    assert.ok(last!.accuracy! > 0.8, `accuracy ${last!.accuracy}`);
  });
}
