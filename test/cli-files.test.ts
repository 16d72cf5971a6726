// The command line's file handling: bundled data sets by name, clear read errors, and atomic saves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BackpropError } from '../src/index.js';
import { checkWritable, loadTable, packageRoot, readData, writeFileAtomic } from '../cli/files.js';
import { root, tempDir } from './cli-run.js';

test('the package root is the folder holding package.json, and the bundled sets are in its data folder', () => {
  assert.equal(join(packageRoot(), '/'), join(root, '/'));
  for (const [name, rows, cols] of [['xor', 4, 3], ['iris', 150, 5], ['digits', 1797, 65]] as const) {
    const t = loadTable(name);
    assert.equal(t.source, `${name}.csv`);
    assert.equal(t.rows.length, rows);
    assert.equal(t.header.length, cols);
  }
  assert.equal(readData('IRIS.csv').source, 'iris.csv');
});

test('a file wins over a bundled name; unknown names and missing files are refused clearly', () => {
  const dir = tempDir();
  const own = join(dir, 'iris');
  writeFileSync(own, 'a,b\n1,x\n');
  assert.equal(readData(own).text, 'a,b\n1,x\n');
  assert.throws(() => readData('irsi'), (e: unknown) => e instanceof BackpropError && /'irsi' is neither a file nor a bundled data set/.test(e.message));
  assert.throws(() => readData(join(dir, 'gone.csv')), /cannot read data file '.*gone\.csv': no such file/);
  assert.throws(() => readData(dir), /is a folder, expected a file/);
});

test('an atomic save replaces the file whole and keeps its permissions', () => {
  const dir = tempDir();
  const path = join(dir, 'model.json');
  writeFileAtomic(path, 'first\n');
  chmodSync(path, 0o600);
  writeFileAtomic(path, 'second\n');
  assert.equal(readFileSync(path, 'utf8'), 'second\n');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ['model.json']);
});

test('a failed save leaves the old file as it was and no temporary file behind', () => {
  const dir = tempDir();
  // The target is a folder that is not empty: renaming over it fails after the data is written.
  const target = join(dir, 'taken');
  mkdirSync(target);
  writeFileSync(join(target, 'keep.txt'), 'old');
  assert.throws(() => writeFileAtomic(target, 'new model'), (e: unknown) => e instanceof BackpropError && /could not save '.*taken'/.test(e.message));
  assert.equal(readFileSync(join(target, 'keep.txt'), 'utf8'), 'old');
  assert.deepEqual(readdirSync(dir), ['taken']);
  // And the checks made before training catch it early.
  assert.throws(() => checkWritable(target, '--out'), /--out '.*taken' is a folder/);
  assert.throws(() => checkWritable(join(dir, 'nope', 'm.json'), '--out'), /the folder .*nope does not exist/);
});

test('an atomic save writes bytes exactly, from a view into a larger buffer too, and a failed one keeps the old file', () => {
  const dir = tempDir();
  const path = join(dir, 'model.onnx');
  const backing = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) & 255);
  const view = backing.subarray(13, 250_013);
  writeFileAtomic(path, view);
  assert.deepEqual(new Uint8Array(readFileSync(path)), view);
  mkdirSync(join(dir, 'taken.onnx'));
  writeFileSync(join(dir, 'taken.onnx', 'keep'), 'old');
  assert.throws(() => writeFileAtomic(join(dir, 'taken.onnx'), view), /could not save '.*taken\.onnx'/);
  assert.deepEqual(readdirSync(dir).sort(), ['model.onnx', 'taken.onnx']);
});
