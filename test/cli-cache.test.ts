// train on data larger than its memory budget: the disk cache, its checks, its cleanup, and the
// same weights for the same seed and budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, truncateSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { backprop, lastJSON, root, tempDir, bigCsv } from './cli-run.js';


const text = bigCsv(30_000, 11);

const small = ['--epochs', '2', '--quiet', '--max-memory', '1MB'];

test('data over the budget trains from a cache on disk: the description and --json say so, the temporary cache is removed', async () => {
  const { dir, data, tmp, env } = setupSync();
  const r = await backprop(['train', data, ...small.filter((a) => a !== '--quiet'), '--out', join(dir, 'm.json')], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /memory: budget 1\.0 MB \(--max-memory\); the data would need about \d+ MB in memory, so it is read from a cache on disk/);
  assert.match(r.stdout, /data cache: .*\.bpcache \(made now; removed at the end\): 4 blocks of 8192 rows, trained 1 block at a time \(4 groups per epoch\)/);
  assert.match(r.stdout, /the rows shuffled within each group of blocks/);
  const j = await backprop(['train', data, ...small, '--json'], env);
  const out = lastJSON(j.stdout);
  assert.equal(out.memory.mode, 'disk-cache');
  assert.equal(out.memory.budget, 1024 * 1024);
  assert.equal(out.memory.blocksPerGroup, 1);
  assert.ok(out.testAccuracy > 0.9, `test accuracy ${out.testAccuracy}`);
  assert.equal(JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')).data.rows, 30_000);
  assert.ok(out.test.rows > 5_000 && out.test.rows < 7_000, `${out.test.rows} test rows`);
  assert.deepEqual(caches(tmp), [], 'the temporary cache folder is removed');
  // regularisation reaches the trainer of each group
  const l2 = lastJSON((await backprop(['train', data, ...small, '--json', '--l2', '0.05'], env)).stdout);
  assert.equal(l2.settings.l2, 0.05);
  assert.ok(l2.trainLoss > out.trainLoss, `with --l2 ${l2.trainLoss}, without ${out.trainLoss}`);
  const e = await backprop(['evaluate', join(dir, 'm.json'), data, '--json']);
  assert.equal(e.code, 0, e.stderr);
  assert.ok(JSON.parse(e.stdout).accuracy > 0.9);
  // the model file says its test rows were chosen by the hashed split: evaluate --split finds the same rows
  const saved = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8'));
  assert.equal(saved.training.split, 'hashed');
  assert.equal(saved.training.stratified, false);
  const trained = lastJSON((await backprop(['train', data, ...small, '--json', '--out', join(dir, 'm2.json')], env)).stdout);
  for (const part of ['train', 'test'] as const) {
    const p = await backprop(['evaluate', join(dir, 'm2.json'), data, '--json', '--split', part]);
    assert.equal(p.code, 0, p.stderr);
    const got = JSON.parse(p.stdout);
    assert.equal(got.rows, part === 'test' ? trained.test.rows : 30_000 - trained.test.rows, `${part} rows`);
    assert.equal(got.accuracy, trained[part === 'test' ? 'testAccuracy' : 'trainAccuracy'], `${part} accuracy`);
  }
});

test('data within the budget trains in memory, and says so', async () => {
  const { data, env } = setupSync();
  const r = await backprop(['train', data, '--epochs', '1', '--quiet', '--json', '--max-memory', '4GB'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(lastJSON(r.stdout).memory.mode, 'memory');
});

test('the same seed and budget give the same weights, bit for bit; --cache keeps the cache and the next run reuses it', async () => {
  const { dir, data, env } = setupSync();
  const cache = join(dir, 'cache');
  const args = (m: string) => ['train', data, ...small, '--json', '--max-memory', '2MB', '--cache', cache, '--out', join(dir, m)];
  const a = await backprop(args('a.json'), env);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(lastJSON(a.stdout).memory.reused, false);
  const files = readdirSync(cache);
  assert.equal(files.length, 1);
  assert.match(files[0], /^data\.csv\.[0-9a-f]{16}\.bpcache$/);
  const b = await backprop(args('b.json'), env);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(lastJSON(b.stdout).memory.reused, true);
  const c = await backprop(['train', data, ...small, '--json', '--max-memory', '2MB', '--out', join(dir, 'c.json')], env);
  assert.equal(c.code, 0, c.stderr);
  const net = (m: string) => JSON.parse(readFileSync(join(dir, m), 'utf8')).network;
  assert.deepEqual(net('b.json'), net('a.json'));
  assert.deepEqual(net('c.json'), net('a.json'));
  // another seed: another split, so another cache beside the first
  const d = await backprop(['train', data, ...small, '--max-memory', '2MB', '--cache', cache, '--seed', '2'], env);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(readdirSync(cache).length, 2);
});

test('a truncated, damaged or foreign cache is rebuilt, saying why; the run gives the weights of a fresh cache', async () => {
  const { dir, data, env } = setupSync();
  const cache = join(dir, 'cache');
  const run = (m: string, seed = '1') => backprop(['train', data, ...small, '--cache', cache, '--seed', seed, '--out', join(dir, m)], env);
  assert.equal((await run('fresh.json')).code, 0);
  const file = join(cache, readdirSync(cache)[0]);
  const size = statSync(file).size;
  const size0 = statSync(data).size;

  truncateSync(file, size - 100);
  let r = await run('t.json');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /the data cache .*\.bpcache cannot be used \(it is truncated \(its end is missing\)\): rebuilding it/);

  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]), 0, 8, 16 + 8192 * 5 * 8 + 800);
  closeSync(fd);
  r = await run('d.json');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /cannot be used \(it is damaged: block 2 of 4 does not match its checksum\): rebuilding it/);

  // a cache of seed 2 under the name of seed 1's
  assert.equal((await run('s2.json', '2')).code, 0);
  const seed2 = readdirSync(cache).map((f) => join(cache, f)).find((f) => f !== file)!;
  copyFileSync(seed2, file);
  r = await run('f.json');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /cannot be used \(it was made from other data or settings\): rebuilding it/);
  const net = (m: string) => JSON.parse(readFileSync(join(dir, m), 'utf8')).network;
  for (const m of ['t.json', 'd.json', 'f.json']) assert.deepEqual(net(m), net('fresh.json'), m);

  // the data edited in place, keeping its size and its time of change: seen by the content's SHA-256
  const { mtime, atime } = statSync(data);
  const text = readFileSync(data, 'utf8');
  const at = text.slice(text.length >> 1).search(/[1-8]/) + (text.length >> 1);
  const edited = text.slice(0, at) + String(Number(text[at]) + 1) + text.slice(at + 1);
  writeFileSync(data, edited);
  utimesSync(data, atime, mtime);
  assert.equal(statSync(data).size, size0);
  r = await run('e.json');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /cannot be used \(\S*data\.csv has changed since the cache was made \(its SHA-256 differs\)\): rebuilding it/);
  assert.notDeepEqual(net('e.json'), net('fresh.json'));
});

test('a bad cell at row 29,000 with the data over the budget: one line, exit 1, no model and no cache left', async () => {
  const { dir, tmp, env } = setupSync();
  const lines = text.split('\n');
  lines[28_999] = lines[28_999].replace(/^[^,]+/, 'n/a');
  writeFileSync(join(dir, 'bad.csv'), lines.join('\n'));
  const cache = join(dir, 'cache');
  for (const extra of [[], ['--cache', cache]]) {
    const r = await backprop(['train', join(dir, 'bad.csv'), ...small, '--out', join(dir, 'm.json'), ...extra], env);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /bad\.csv row 29000, column 1 \('x0'\): expected a number, got 'n\/a'/);
    assert.ok(!existsSync(join(dir, 'm.json')));
    assert.deepEqual(caches(tmp), []);
  }
  assert.deepEqual(readdirSync(cache), []);
});

test('options the cached path cannot take are refused with what to do', async () => {
  const { data, env } = setupSync();
  for (const [flag, message] of [
    [['--batch', 'full'], /--batch full needs every training row in memory/],
    [['--early-stop', '3'], /--early-stop is not available when the data is read from a cache on disk: raise --max-memory/],
  ] as const) {
    const r = await backprop(['train', data, ...small, ...flag], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, message);
  }
});

test('SIGINT while training from a temporary cache: the cache is removed', async () => {
  const { data, tmp, env } = setupSync();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), 'train', data, '--epochs', '100000', '--max-memory', '1MB', '--quiet'], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  let stdout = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      if (/data cache:/.test(stdout)) resolve();
    });
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  try {
    assert.equal(caches(tmp).length, 1, 'the cache folder exists while training');
  } finally {
    child.kill('SIGINT');
  }
  const code = await exited;
  assert.equal(code, 130);
  assert.deepEqual(caches(tmp), []);
});

test('a cached run stopped by SIGINT keeps a checkpoint; --resume ends with the weights of the uninterrupted run', async () => {
  const { dir, data, tmp, env } = setupSync();
  const ck = join(dir, 'ck');
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), 'train', data, '--epochs', '100000', '--max-memory', '1MB', '--quiet', '--checkpoint', ck, '--out', join(dir, 'r.json')], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      if (/checkpoints: every epoch/.test(stdout)) setTimeout(resolve, 1500);
    });
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  child.kill('SIGINT');
  assert.equal(await exited, 130, stderr);
  assert.match(stderr, /stopped by SIGINT at epoch \d+, before group \d+, and saved a checkpoint to .*checkpoint\.json: continue with `backprop train --resume /);
  assert.deepEqual(caches(tmp), []);
  const saved = JSON.parse(readFileSync(join(ck, 'checkpoint.json'), 'utf8'));
  assert.equal(saved.blocks.blocksPerGroup, 1);
  const epochs = String(saved.fit.epoch + 1);
  const r = await backprop(['train', '--resume', ck, '--epochs', epochs, '--quiet'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /resuming from .*checkpoint\.json: epoch \d+, before group \d+/);
  const full = await backprop(['train', data, '--epochs', epochs, '--max-memory', '1MB', '--quiet', '--out', join(dir, 'f.json')], env);
  assert.equal(full.code, 0, full.stderr);
  const net = (m: string) => JSON.parse(readFileSync(join(dir, m), 'utf8')).network;
  assert.deepEqual(net('r.json'), net('f.json'));
  assert.ok(!existsSync(join(ck, 'checkpoint.json')), 'the finished run removes its checkpoint');
});

test('a kept cache folder: a cache left half-written by a killed run is removed by the next run', async () => {
  const { dir, data, env } = setupSync();
  const cache = join(dir, 'cache');
  mkdirSync(cache);
  writeFileSync(join(cache, 'data.csv.0123456789abcdef.bpcache.999999999.tmp'), 'half');
  const r = await backprop(['train', data, ...small, '--cache', cache], env);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(cache).filter((f) => f.endsWith('.tmp')), []);
});

test('a regression from the cache: the target scaled by statistics gathered while reading, figures in its units', async () => {
  const { dir, env } = setupSync();
  const lines = ['a,b,y'];
  for (let i = 0; i < 20_000; i++) {
    const a = Math.sin(i);
    const b = Math.cos(i * 1.7);
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${(100 + 30 * a - 20 * a * b).toFixed(3)}`);
  }
  writeFileSync(join(dir, 'reg.csv'), lines.join('\n') + '\n');
  const r = await backprop(['train', join(dir, 'reg.csv'), '--epochs', '5', '--quiet', '--json', '--max-memory', '1MB', '--out', join(dir, 'r.json')], env);
  assert.equal(r.code, 0, r.stderr);
  const out = lastJSON(r.stdout);
  assert.equal(out.memory.mode, 'disk-cache');
  assert.ok(out.test.r2 > 0.95, `R² ${out.test.r2}`);
  assert.ok(out.testRmse < 10, `RMSE ${out.testRmse}`);
  const model = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
  assert.ok(Math.abs(model.preprocessing.target.shift[0] - 100) < 2, 'the target standardised around its mean');
});

/** The temporary cache folders in a TMPDIR (tsx keeps its own files there too). */
function caches(tmp: string): string[] {
  return readdirSync(tmp).filter((f) => f.startsWith('backprop-cache-'));
}

/** A folder with the data file, and a TMPDIR of its own (to check that no temporary cache is left). */
function setupSync(): { dir: string; data: string; tmp: string; env: Record<string, string> } {
  const dir = tempDir();
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  writeFileSync(join(dir, 'data.csv'), text);
  return { dir, data: join(dir, 'data.csv'), tmp, env: { TMPDIR: tmp } };
}
