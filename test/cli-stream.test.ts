// predict and evaluate read, predict and write a chunk of rows at a time: the same output as
// reading the whole file, and an --out that appears only whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backprop, tempDir } from './cli-run.js';
import { parseCsv } from '../src/data/csv-records.js';
import { Model } from '../src/io/model.js';
import { predictionsCsv } from '../cli/commands/predict.js';

function csv(rows: number): string {
  const lines = ['a,b,c,label'];
  let s = 5;
  const r = () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296) * 2 - 1;
  for (let i = 0; i < rows; i++) {
    const x = [r(), r(), r()];
    lines.push(`${x.map((v) => v.toFixed(3)).join(',')},${x[0] + x[1] * x[2] > 0 ? 'yes' : 'no'}`);
  }
  return lines.join('\n') + '\n';
}

const text = csv(10_000);

test('predict over several chunks writes what predicting the whole table gives; evaluate over chunks gives its figures', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'd.csv'), text);
  const m = join(dir, 'm.json');
  const t = await backprop(['train', join(dir, 'd.csv'), '--epochs', '2', '--quiet', '--out', m, '--max-memory', '4GB']);
  assert.equal(t.code, 0, t.stderr);
  const p = await backprop(['predict', m, join(dir, 'd.csv')]);
  assert.equal(p.code, 0, p.stderr);
  const model = Model.parse(readFileSync(m, 'utf8'), 'm.json');
  const table = parseCsv(text, 'd.csv');
  const want = predictionsCsv(model.predict(table), 'label', table.lines, true, 6);
  assert.equal(p.stdout, want);
  const e = await backprop(['evaluate', m, join(dir, 'd.csv'), '--json']);
  assert.equal(e.code, 0, e.stderr);
  const got = JSON.parse(e.stdout);
  const whole = model.evaluate(table);
  assert.equal(got.rows, 10_000);
  assert.equal(got.accuracy, whole.accuracy);
  assert.deepEqual(got.confusion, whole.confusion);
  assert.ok(Math.abs(got.loss - whole.loss) <= 1e-12 * whole.loss, `${got.loss} ${whole.loss}`);
});

test('predict --out with a bad cell at row 9,000: one line, exit 1, the old file unchanged and no temporary file left', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'd.csv'), text);
  const m = join(dir, 'm.json');
  assert.equal((await backprop(['train', join(dir, 'd.csv'), '--epochs', '1', '--quiet', '--out', m])).code, 0);
  const lines = text.split('\n');
  lines[8_999] = lines[8_999].replace(/^[^,]+/, 'oops');
  writeFileSync(join(dir, 'bad.csv'), lines.join('\n'));
  writeFileSync(join(dir, 'p.csv'), 'old\n');
  const r = await backprop(['predict', m, join(dir, 'bad.csv'), '--out', join(dir, 'p.csv')]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /bad\.csv row 9000, column 1 \('a'\): expected a number, got 'oops'/);
  assert.equal(readFileSync(join(dir, 'p.csv'), 'utf8'), 'old\n');
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});
