// The shape of src/: no import cycles (type imports count too), and no function over 80 lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}
const files = sourceFiles(SRC);
const name = (f: string) => relative(SRC, f);

/** Every module of src/ a file imports or re-exports from, `import type` and `import()` included. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((i) => i.fileName)
    .filter((f) => f.startsWith('.'))
    .map((f) => resolve(dirname(file), f).replace(/\.js$/, '.ts'))
    .filter((f) => f.startsWith(SRC));
}

/** The import cycles of a graph, each as the path that closes it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    path.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 'open') found.push([...path.slice(path.indexOf(g)), g]);
      else if (!state.has(g)) visit(g);
    }
    path.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return found;
}

test('the cycle finder finds a cycle through a type import', () => {
  const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
  assert.deepEqual(cycles(graph), [['a', 'b', 'c', 'a']]);
  assert.deepEqual(importsOf(join(SRC, 'train/checkpoint.ts')).map(name), ['train/history.ts']); // `import type { History } from './history.js'`
});

test('src/ has no import cycles, type imports included', () => {
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  assert.deepEqual(cycles(graph).map((c) => c.map(name).join(' → ')), []);
});

test('src/nn/ imports nothing from train/, engine/ or io/ (the model knows nothing of training or files)', () => {
  const upward = files
    .filter((f) => name(f).startsWith('nn/'))
    .flatMap((f) => importsOf(f).filter((g) => /^(train|engine|io)\//.test(name(g))).map((g) => `${name(f)} → ${name(g)}`));
  assert.deepEqual(upward, []);
});

test('src/engine/ imports nothing from train/ or io/ (the engines sit below the trainer)', () => {
  const upward = files
    .filter((f) => name(f).startsWith('engine/'))
    .flatMap((f) => importsOf(f).filter((g) => /^(train|io)\//.test(name(g))).map((g) => `${name(f)} → ${name(g)}`));
  assert.deepEqual(upward, []);
});

/**
 * Functions, methods and arrow functions longer than `limit` lines, as "file:line name (lines)".
 * The inner lines of a multi-line template literal are text the function writes out (a generated
 * Python file, say), not its code, and do not count.
 */
function longFunctions(file: string, limit: number): string[] {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const line = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line;
  const textLines = new Set<number>();
  const findText = (node: ts.Node) => {
    if (ts.isTemplateExpression(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      for (let l = line(node.getStart(sf)) + 1; l < line(node.getEnd()); l++) textLines.add(l);
    }
    ts.forEachChild(node, findText);
  };
  findText(sf);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = line(node.getStart(sf));
      const last = line(node.getEnd());
      let lines = 0;
      for (let l = first; l <= last; l++) if (!textLines.has(l)) lines++;
      const label = (node as ts.FunctionLikeDeclaration).name?.getText(sf) ?? '(anonymous)';
      if (lines > limit) out.push(`${name(file)}:${first + 1} ${label} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

test('no function in src/ is longer than 80 lines', () => {
  const long = files.flatMap((f) => longFunctions(f, 80));
  assert.deepEqual(long, []);
});
