// The command line on files read in chunks: a bad cell deep in a file, a file that ends in the
// middle of a row, and a model trained on more rows than a file lists test rows for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backprop, tempDir } from './cli-run.js';

/** A 3-class CSV of `rows` rows and 5 features, several 1 MB chunks long from 20,000 rows. */
function bigCsv(rows: number): string {
  const lines = ['x0,x1,x2,x3,x4,label'];
  let s = 7;
  const r = () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296) * 2 - 1;
  for (let i = 0; i < rows; i++) {
    const x = [r(), r(), r(), r(), r()];
    const v = x[0] + 0.5 * x[1] * x[2] - 0.3 * x[3];
    lines.push(`${x.map((a) => a.toFixed(4)).join(',')},${v < -0.3 ? 'a' : v < 0.3 ? 'b' : 'c'}`);
  }
  return lines.join('\n') + '\n';
}

const text = bigCsv(40_000);

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
