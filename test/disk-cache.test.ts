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
import { CacheBlocks } from '../cli/cache/cache-blocks.js';
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

/** A cache of `rows` rows of 3 features in blocks of 16: 3 classes, or a number to predict. */
function smallCache(kind: 'classification' | 'regression', rows: number): CacheReader {
  const dir = folder();
  const w = new CacheWriter(join(dir, 'c.bpcache'), join(dir, 'c.tmp'), 3, 16, { seed: 1, testSplit: 0.25 });
  for (let i = 0; i < rows * 3; i++) w.push(Math.sin(i * 1.7) * 5);
  const targets = Array.from({ length: rows }, (_, i) => (kind === 'classification' ? (i * 7) % 3 : Math.cos(i) * 3));
  const schema = kind === 'classification' ? { features: ['a', 'b', 'c'], target: 'y', kind, classes: ['p', 'q', 'r'] } : { features: ['a', 'b', 'c'], target: 'y', kind };
  w.finish(targets, meta(schema as Parameters<typeof meta>[0]));
  return CacheReader.open(join(dir, 'c.bpcache'));
}

for (const kind of ['classification', 'regression'] as const) {
  test(`cache blocks (${kind}): every group is read into the same store, sized once, and holds what a fresh read gives (one-hot rows and labels rewritten whole)`, () => {
    const r = smallCache(kind, 203);
    assert.equal(r.blocks, 13);
    const scaler = { kind: 'standard' as const, shift: [0.5, -0.25, 0], scale: [2, 3, 4] };
    const target = kind === 'regression' ? { kind: 'standard' as const, shift: [1], scale: [2] } : undefined;
    const grouping = { blocksPerGroup: 3, lead: 5 };
    const kept = new CacheBlocks(r, scaler, target, grouping);
    const fresh = () => new CacheBlocks(r, scaler, target, grouping);
    const F = 3;
    const K = kept.outputs;
    const stores = new Set<ArrayBufferLike>();
    let groups = 0;
    for (const epoch of [1, 2, 3]) {
      const all = epochGroups(r.blocks, 3, 5, epoch);
      for (let g = 0; g < all.length; g++) {
        const blocks = all[g];
        const lead = (g * 3) % 6; // 0, 3, 0, 3, …: up to the grouping's lead
        const order = (n: number) => groupRowOrder(n, 5, epoch, g);
        const a = kept.trainRows(blocks, order, lead);
        const b = fresh().trainRows(blocks, order, lead);
        assert.equal(a.X.rows, b.X.rows);
        assert.ok(a.X.rows > lead);
        assert.deepEqual(a.X.data.subarray(lead * F), b.X.data.subarray(lead * F), `X of epoch ${epoch}, group ${g}`);
        assert.deepEqual(a.Y.data.subarray(lead * K), b.Y.data.subarray(lead * K), `Y of epoch ${epoch}, group ${g}`);
        stores.add(a.X.data.buffer).add(a.Y.data.buffer);
        groups++;
      }
    }
    assert.equal(groups, 15);
    assert.equal(stores.size, 2, 'one array of X values and one of Y values for every training group');
    const evalStores = new Set<ArrayBufferLike>();
    for (const test of [false, true, false]) {
      for (const g of kept.fileGroups(3)) {
        const a = kept.partRows(g, test);
        const b = fresh().partRows(g, test);
        assert.equal(a.X.rows, kept.count(g, test));
        assert.deepEqual([a.X.data, a.Y.data, a.labels, a.values], [b.X.data, b.Y.data, b.labels, b.values]);
        evalStores.add(a.X.data.buffer);
        assert.ok(!stores.has(a.X.data.buffer), 'the evaluation has a store of its own');
      }
    }
    assert.equal(evalStores.size, 1);
    r.close();
  });
}

test('cache blocks: a group larger than the store it was sized for is refused, not written past the store', () => {
  const r = smallCache('classification', 203);
  const blocks = new CacheBlocks(r, { kind: 'standard', shift: [0, 0, 0], scale: [1, 1, 1] }, undefined, { blocksPerGroup: 2, lead: 0 });
  assert.throws(() => blocks.trainRows(Int32Array.of(0, 1, 2), (n) => groupRowOrder(n, 1, 1, 0)), /does not fit the store/);
  r.close();
});

/** memoryBlocks' rows, copied into one array for every group (as CacheBlocks does): X and Y views of its first rows. */
function reusedBlocks(X: Matrix, Y: Matrix, blockRows: number, perGroup: number, lead: number): BlockSource {
  const source = memoryBlocks(X, Y, blockRows);
  const x = new Float64Array((perGroup * blockRows + lead) * X.cols).fill(NaN);
  const y = new Float64Array((perGroup * blockRows + lead) * Y.cols).fill(NaN);
  return {
    blocks: source.blocks,
    trainRows(blocks, order, lead = 0) {
      const fresh = source.trainRows(blocks, order, lead);
      const n = fresh.X.rows;
      // the lead rows are left as the group before left them, for the trainer to fill
      x.set(fresh.X.data.subarray(lead * X.cols), lead * X.cols);
      y.set(fresh.Y.data.subarray(lead * Y.cols), lead * Y.cols);
      return { X: new Matrix(n, X.cols, x.subarray(0, n * X.cols)), Y: new Matrix(n, Y.cols, y.subarray(0, n * Y.cols)) };
    },
  };
}

for (const engine of ['reference', 'wasm'] as const) {
  test(`block trainer (${engine}): rows read into the same array for every group give the weights of rows in new arrays, also when the groups have the same shape`, async () => {
    const { X, Y } = xorish(1000);
    // batches of 25: every group is 200 rows, so the network's kept engine is taken again for each group, with the same array of new rows
    // batches of 24: rows carried from group to group, groups of other sizes
    for (const batchSize of [25, 24]) {
      const options = { batchSize, learningRate: 0.05, optimizer: 'adam' as const, seed: 9, blocksPerGroup: 2, engine };
      const run = async (source: BlockSource) => {
        const n = net();
        const t = new BlockTrainer(n, source, options);
        for (let e = 0; e < 2; e++) await t.runEpoch();
        return n.params().map((p) => Array.from(p.value));
      };
      const fresh = await run(memoryBlocks(X, Y, 100));
      assert.deepEqual(await run(reusedBlocks(X, Y, 100, 2, batchSize - 1)), fresh, `batches of ${batchSize}`);
    }
  });
}
