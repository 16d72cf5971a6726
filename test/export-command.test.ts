// backprop export: a model trained by the command line, written as ONNX and as a JavaScript
// module, gives the saved model's predictions on raw feature rows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import onnxProto from 'onnx-proto';
import { registerExport } from '../cli/commands/export.js';
import { BackpropError, datasetForSchema, Model, parseCsv, trainModel } from '../src/index.js';
import { toONNX } from '../src/onnx.js';
import { assertClose, cli, root } from './helpers.js';
import { runOnnx } from './onnx-runtime.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'backprop-export-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Trains a model with the CLI and returns it with the raw features of its data file. */
function train(data: string, args: string[], name: string) {
  const out = join(dir, `${name}.json`);
  const r = cli(['train', data, '--out', out, '--quiet', '--seed', '3', ...args]);
  assert.equal(r.status, 0, r.stderr);
  const model = Model.parse(readFileSync(out, 'utf8'), out);
  const table = parseCsv(readFileSync(data, 'utf8'), data);
  const raw = datasetForSchema(table, model.schema, false).X.toArray();
  return { path: out, model, table, raw };
}

function argmax(r: number[]): number {
  return r.indexOf(Math.max(...r));
}

test('the trained Iris model: ONNX Runtime on raw rows gives the model\'s probabilities within 1e-5, and the same classes', async () => {
  const { path, model, table, raw } = train(join(root, 'data', 'iris.csv'), ['--epochs', '60'], 'iris');
  const onnxPath = join(dir, 'iris.onnx');
  const jsPath = join(dir, 'iris.mjs');
  const r = cli(['export', path, '--onnx', onnxPath, '--js', jsPath]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /input {2}"input" {2}float32 \[N, 4\]: sepal_length, sepal_width, petal_length, petal_width \(raw values/);
  assert.match(r.stdout, /output "output" float32 \[N, 3\]: one probability per class \(setosa, versicolor, virginica\)/);

  const saved = onnxProto.onnx.ModelProto.decode(readFileSync(onnxPath));
  const meta = Object.fromEntries(saved.metadataProps.map((p) => [p.key, p.value]));
  assert.deepEqual(JSON.parse(meta.classes!), ['setosa', 'versicolor', 'virginica']);
  assert.deepEqual(JSON.parse(meta.features!), ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);

  const expected = model.predict(table).outputs!;
  assert.equal(expected.length, 150);
  const got = await runOnnx(readFileSync(onnxPath), raw, 'float32');
  assertClose(got, expected, 1e-5, 'ONNX output');
  assert.deepEqual(got.map(argmax), expected.map(argmax));

  const js = await import(pathToFileURL(jsPath).href);
  assertClose(js.default(raw), expected, 1e-12, 'exported JavaScript');
  assert.deepEqual(js.predict(raw[0]), js.default([raw[0]])[0]);
});

test('a regression model exports with its target scaling undone: outputs in the target\'s units', async () => {
  // y = 3·x1 − 2·x2 + 100, in units far from the scaled ones.
  const lines = ['x1,x2,y'];
  for (let i = 0; i < 40; i++) {
    const x1 = (i % 7) - 3;
    const x2 = ((i * 5) % 11) / 2;
    lines.push(`${x1},${x2},${3 * x1 - 2 * x2 + 100}`);
  }
  const table = parseCsv(lines.join('\n') + '\n', 'line.csv');
  const { model } = trainModel(table, { task: 'regression', epochs: 20, seed: 3 });
  const path = join(dir, 'line.json');
  writeFileSync(path, model.toText());
  const raw = datasetForSchema(table, model.schema, false).X.toArray();
  const expected = (model.predict(table).predicted as number[]).map((v) => [v]);
  assert.ok(expected.every(([v]) => v > 50), 'predictions are in the target\'s units');
  // float32: the library call the command makes, without the float64 flag.
  const pre = model.file.preprocessing;
  const bytes32 = toONNX(model.network, { preprocess: pre.features, postprocess: pre.target });
  assertClose(await runOnnx(bytes32, raw, 'float32'), expected, 1e-3, 'ONNX float32 output (values near 100)');

  const onnx64 = join(dir, 'line64.onnx');
  const jsPath = join(dir, 'line.mjs');
  const r = cli(['export', path, '--onnx', onnx64, '--float64', '--js', jsPath]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /output "output" float64 \[N, 1\]: 'y' in its own units/);
  assertClose(await runOnnx(readFileSync(onnx64), raw, 'float64'), expected, 1e-9, 'ONNX float64 output');
  const js = await import(pathToFileURL(jsPath).href);
  assertClose(js.default(raw), expected, 1e-12, 'exported JavaScript');
});

/** Runs the export command in this process; resolves when it is done, rejects with its error. */
async function exportCommand(args: string[]): Promise<void> {
  const program = new Command('backprop').exitOverride().configureOutput({ writeErr: () => {} });
  registerExport(program);
  await program.parseAsync(['export', ...args], { from: 'user' });
}

test('export says what is missing or wrong, and writes nothing', async () => {
  const fails = (pattern: RegExp) => (e: unknown) => e instanceof BackpropError && pattern.test(e.message);
  await assert.rejects(exportCommand([join(dir, 'none.json'), '--onnx', join(dir, 'x.onnx')]), fails(/cannot read model file .*none\.json': no such file/));

  const notModel = join(dir, 'not-a-model.json');
  writeFileSync(notModel, '{"format": "something else"}');
  await assert.rejects(exportCommand([notModel, '--onnx', join(dir, 'y.onnx')]), fails(/is not a backprop model file/));
  assert.equal(existsSync(join(dir, 'y.onnx')), false);

  await assert.rejects(exportCommand([notModel]), fails(/export needs --onnx <file>, --js <file>, --pytorch <dir> or --tfjs <dir>/));
  await assert.rejects(exportCommand([notModel, '--js', join(dir, 'z.mjs'), '--float64']), fails(/--float64 applies to --onnx only/));
  const xor = join(dir, 'xor.json');
  writeFileSync(xor, trainModel(parseCsv('a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n', 'xor.csv'), { epochs: 2 }).model.toText());
  await assert.rejects(exportCommand([xor, '--onnx', join(dir, 'no-such-folder', 'a.onnx')]), fails(/--onnx .*no-such-folder.* does not exist/));
});
