// Hostile use of the command line: each case exits 1 with one clear line on stderr and leaves
// every file it was given unchanged (compared by a checksum of its bytes).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv, trainModel } from '../src/index.js';
import { backprop, root, tempDir } from './cli-run.js';

const dir = tempDir();
const f = (name: string) => join(dir, name);
const sha = (path: string) => (existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'missing');

interface Case {
  name: string;
  args: string[];
  message: RegExp;
  /** The files that must keep their bytes. */
  keep: string[];
}

/** Runs the case: exit 1, one line on stderr matching `message`, the kept files unchanged. */
async function refused(c: Case): Promise<void> {
  const sums = c.keep.map(sha);
  const r = await backprop(c.args);
  assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
  assert.match(r.stderr, /^backprop: [^\n]+\n$/, `one line on stderr, no stack trace; got ${JSON.stringify(r.stderr)}`);
  assert.match(r.stderr, c.message);
  assert.deepEqual(c.keep.map(sha), sums, 'every file is unchanged');
}

before(() => {
  const iris = parseCsv(readFileSync(join(root, 'data/iris.csv'), 'utf8'), 'iris.csv');
  writeFileSync(f('m.json'), trainModel(iris, { epochs: 2 }).model.toText());
  writeFileSync(f('data.csv'), readFileSync(join(root, 'data/xor.csv')));
  symlinkSync(f('data.csv'), f('link.csv'));
  mkdirSync(f('ckpt'));
});

describe('an output that would overwrite an input or another output is refused before any work', { concurrency: 4 }, () => {
  const cases: Case[] = [
    {
      name: 'train --out and --plot the same file',
      args: ['train', 'iris', '--quiet', '--epochs', '1', '--out', f('m.json'), '--plot', f('m.json')],
      message: /--plot '.*m\.json' is the same file as --out '.*m\.json': give each output its own file/,
      keep: [f('m.json')],
    },
    {
      name: 'train --out over its data file',
      args: ['train', f('data.csv'), '--quiet', '--epochs', '1', '--out', f('data.csv')],
      message: /--out '.*data\.csv' is the data file this command reads: .*choose another file/,
      keep: [f('data.csv')],
    },
    {
      name: 'train --plot over its data file through a symbolic link',
      args: ['train', f('data.csv'), '--quiet', '--epochs', '1', '--plot', f('link.csv')],
      message: /--plot '.*link\.csv' is the data file this command reads/,
      keep: [f('data.csv')],
    },
    {
      name: 'train --out over its own checkpoint file',
      args: ['train', 'xor', '--quiet', '--epochs', '1', '--checkpoint', f('ckpt'), '--out', join(f('ckpt'), 'checkpoint.json')],
      message: /--out '.*checkpoint\.json' is the same file as --checkpoint/,
      keep: [join(f('ckpt'), 'checkpoint.json')],
    },
    {
      name: 'predict --out over its model file',
      args: ['predict', f('m.json'), 'iris', '--out', f('m.json')],
      message: /--out '.*m\.json' is the model file this command reads/,
      keep: [f('m.json')],
    },
    {
      name: 'predict --out over its data file',
      args: ['predict', f('m.json'), f('./data.csv'), '--out', f('data.csv')],
      message: /--out '.*data\.csv' is the data file this command reads/,
      keep: [f('data.csv')],
    },
    {
      name: 'export --js over its model file',
      args: ['export', f('m.json'), '--js', f('m.json')],
      message: /--js '.*m\.json' is the model file this command reads/,
      keep: [f('m.json')],
    },
    {
      name: 'export --onnx and --js the same file',
      args: ['export', f('m.json'), '--onnx', f('out.bin'), '--js', f('out.bin')],
      message: /--js '.*out\.bin' is the same file as --onnx '.*out\.bin'/,
      keep: [f('out.bin')],
    },
  ];
  for (const c of cases) test(c.name, () => refused(c));

  test('nothing was written', () => {
    assert.deepEqual(readdirSync(f('ckpt')), []);
    assert.ok(!existsSync(f('out.bin')));
  });
});
