// The long run (npm run test:long): 10,000 rows labelled with 10,000 classes. Training saves its
// model first, and reports the confusion matrix in a bounded form: no dense 10,000 × 10,000 table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backprop, tempDir } from '../cli-run.js';

test('10,000 classes: the model is saved and the report stays short', async () => {
  const dir = tempDir();
  const rows = ['a,b,label'];
  for (let i = 0; i < 10000; i++) rows.push(`${Math.sin(i)},${Math.cos(i * 1.3)},c${i}`);
  writeFileSync(join(dir, 'many.csv'), rows.join('\n') + '\n');
  const r = await backprop(['train', join(dir, 'many.csv'), '--epochs', '1', '--quiet', '--out', join(dir, 'm.json')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.ok(existsSync(join(dir, 'm.json')));
  assert.match(r.stdout, /10000 classes, too many for a table: \d+ of 10000 rows are predicted as another class/);
  assert.ok(r.stdout.split('\n').length < 60, `${r.stdout.split('\n').length} lines`);
  const e = await backprop(['evaluate', join(dir, 'm.json'), join(dir, 'many.csv')]);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stdout, /… and 9980 more classes \(--json gives them all\)/);
  assert.ok(e.stdout.split('\n').length < 80, `${e.stdout.split('\n').length} lines`);
});
