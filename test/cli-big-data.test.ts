// The command line on files read in chunks: a bad cell deep in a file, a file that ends in the
// middle of a row, and a model trained on more rows than a file lists test rows for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backprop, tempDir, bigCsv } from './cli-run.js';


const text = bigCsv(40_000, 7);

test('a bad cell at row 39,000 of a file read in chunks: one line naming row, column and value, exit 1, no model written', async () => {
  const dir = tempDir();
  const lines = text.split('\n');
  lines[38_999] = lines[38_999].replace(/^[^,]+/, 'n/a');
  writeFileSync(join(dir, 'bad.csv'), lines.join('\n'));
  const r = await backprop(['train', join(dir, 'bad.csv'), '--epochs', '1', '--quiet', '--out', join(dir, 'm.json')]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /bad\.csv row 39000, column 1 \('x0'\): expected a number, got 'n\/a'/);
  assert.ok(!existsSync(join(dir, 'm.json')));
});

test('a file that ends in the middle of a row names that row', async () => {
  const dir = tempDir();
  const cut = text.slice(0, text.length - 20);
  writeFileSync(join(dir, 'cut.csv'), cut);
  const r = await backprop(['train', join(dir, 'cut.csv'), '--epochs', '1', '--quiet']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^backprop: .*cut\.csv row 40001 has \d values?, expected 6 \(one per column of the header\)\n$/);
});

test('trained on 40,000 rows: the model file lists no test rows, and evaluate --split test reproduces the test accuracy', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'big.csv'), text);
  const m = join(dir, 'm.json');
  const t = await backprop(['train', join(dir, 'big.csv'), '--epochs', '2', '--quiet', '--json', '--out', m]);
  assert.equal(t.code, 0, t.stderr);
  const trained = JSON.parse(t.stdout.trim().split('\n').at(-1)!);
  assert.ok(trained.testAccuracy > 0.9, `test accuracy ${trained.testAccuracy}`);
  const file = JSON.parse(readFileSync(m, 'utf8'));
  assert.equal(file.training.testRows, undefined);
  const e = await backprop(['evaluate', m, join(dir, 'big.csv'), '--split', 'test', '--json']);
  assert.equal(e.code, 0, e.stderr);
  const evaluated = JSON.parse(e.stdout);
  assert.equal(evaluated.rows, 8_000);
  assert.equal(evaluated.accuracy, trained.testAccuracy);
  const p = await backprop(['predict', m, join(dir, 'big.csv'), '--out', join(dir, 'p.csv')]);
  assert.equal(p.code, 0, p.stderr);
  const preds = readFileSync(join(dir, 'p.csv'), 'utf8').trim().split('\n');
  assert.equal(preds.length, 40_001);
  assert.match(preds[40_000], /^40001,[abc],/);
});
