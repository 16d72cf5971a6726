// The package's entries and what importing each one loads: the core entry ('backprop') stays
// light — no protobuf encoder; valibot, modular, for the model file's checks, and @noble/hashes'
// SHA-256 alone for the files' checksums — so that a process
// or a page that only trains pays for nothing else; ONNX export is 'backprop/onnx'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { root } from './helpers.js';

/** The source files and the packages a module loads, following its value imports and re-exports. */
function importGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
    for (const s of source.statements) {
      let spec: ts.Expression | undefined;
      if (ts.isImportDeclaration(s) && !s.importClause?.isTypeOnly) spec = s.moduleSpecifier;
      if (ts.isExportDeclaration(s) && !s.isTypeOnly) spec = s.moduleSpecifier;
      if (!spec || !ts.isStringLiteral(spec)) continue;
      const name = spec.text;
      if (name.startsWith('.')) visit(resolve(dirname(file), name.replace(/\.js$/, '.ts')));
      else packages.add(name);
    }
  };
  visit(join(root, entry));
  return { files: [...files].map((f) => relative(root, f)).sort(), packages: [...packages].sort() };
}

test("the core entry loads no heavy package: only csv-parse's browser build, valibot and SHA-256", () => {
  const core = importGraph('src/index.ts');
  assert.deepEqual(core.packages, ['@noble/hashes/sha2.js', '@noble/hashes/utils.js', 'csv-parse/browser/esm', 'valibot']);
  assert.ok(!core.files.includes('src/io/onnx.ts'), 'src/index.ts reaches src/io/onnx.ts');
  for (const heavy of ['src/io/pytorch.ts', 'src/io/tfjs.ts']) assert.ok(!core.files.includes(heavy), `src/index.ts reaches ${heavy}`);
  // the model file is still read and checked from the core entry
  assert.ok(core.files.includes('src/io/model-file.ts'));
});

test("'backprop/onnx' is the ONNX export, and package.json maps both entries with their types", () => {
  assert.ok(importGraph('src/onnx.ts').packages.includes('onnx-proto'));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  // Node loads node/index.ts: the same API, with worker threads for the float32 products
  assert.deepEqual(pkg.exports['.'], { types: './dist/src/index.d.ts', node: './dist/node/index.js', import: './dist/src/index.js' });
  assert.deepEqual(pkg.exports['./onnx'], { types: './dist/src/onnx.d.ts', import: './dist/src/onnx.js' });
});

test("Node's entry is the core entry and Node's worker_threads, nothing more", () => {
  const node = importGraph('node/index.ts');
  assert.deepEqual(node.packages, ['@noble/hashes/sha2.js', '@noble/hashes/utils.js', 'csv-parse/browser/esm', 'node:fs', 'node:os', 'node:worker_threads', 'valibot']);
  assert.ok(!importGraph('src/index.ts').packages.some((p) => p.startsWith('node:')), 'src/ imports no Node built-in');
});

test("'backprop/pytorch' and 'backprop/tfjs' load no package but the core entry's and no Node built-in (a page can offer their files as downloads)", () => {
  const core = ['@noble/hashes/sha2.js', '@noble/hashes/utils.js', 'csv-parse/browser/esm', 'valibot'];
  assert.deepEqual(importGraph('src/pytorch.ts').packages, core);
  assert.deepEqual(importGraph('src/tfjs.ts').packages, core);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.deepEqual(pkg.exports['./pytorch'], { types: './dist/src/pytorch.d.ts', import: './dist/src/pytorch.js' });
  assert.deepEqual(pkg.exports['./tfjs'], { types: './dist/src/tfjs.d.ts', import: './dist/src/tfjs.js' });
});
