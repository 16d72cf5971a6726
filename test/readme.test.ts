// The README's API examples must run as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './helpers.js';

test("the README's TypeScript examples run and print what they promise", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 2, 'README has TypeScript examples');
  const dir = mkdtempSync(join(root, 'test', '.readme-'));
  try {
    blocks.forEach((code, i) => {
      const file = join(dir, `example${i}.ts`);
      writeFileSync(file, code.replace(/from 'backprop'/g, `from '${join(root, 'src', 'index.ts')}'`).replace(/from 'backprop\/(\w+)'/g, (_, entry: string) => `from '${join(root, 'src', `${entry}.ts`)}'`));
      const r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, `README example ${i + 1} failed:\n${r.stderr}`);
      if (i === 0) {
        assert.match(r.stdout, /\[ 0\.0\d+ \]/);
        assert.match(r.stdout.trim().split('\n').at(-1)!, /^1$/);
      }
      if (i === 1) assert.match(r.stdout, /-0\.0900165/);
      if (code.includes("from 'backprop/pytorch'")) assert.match(r.stdout, /^true (yes|no) (yes|no) (yes|no) (yes|no)$/m);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
