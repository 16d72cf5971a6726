// export --tfjs and import of TF.js Layers models: tf.loadLayersModel runs the export on raw
// features with backprop's outputs; a model built and trained in TensorFlow.js comes back with
// its outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BackpropError, Model } from '../src/index.js';
import { fromTFJS, toTFJS, TFJS_WEIGHTS_FILE } from '../src/tfjs.js';
import { tempDir } from './cli-run.js';
import { assertWithin } from './export-checks.js';
import { cli } from './helpers.js';
import { interopCase, interopCases, iris } from './interop-cases.js';

/** Loads a model.json and its weights files from a folder, as a file handler would. */
async function loadFolder(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs = manifest.flatMap((g) => g.weights);
    const data = manifest.flatMap((g) => g.paths.map((p) => new Uint8Array(readFileSync(join(dir, p)))));
    return [specs, tf.io.concatenateArrayBuffers(data.map((d) => d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) as ArrayBuffer))];
  });
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

function run(model: tf.LayersModel, rows: number[][]): number[][] {
  return tf.tidy(() => (model.predict(tf.tensor2d(rows)) as tf.Tensor).arraySync() as number[][]);
}

const cases = interopCases().filter((c) => !c.name.startsWith('step'));

test('tf.loadLayersModel on the export of every activation and output takes raw features and gives backprop\'s outputs within 2e-5', async () => {
  const dir = tempDir();
  for (const [i, c] of cases.entries()) {
    const folder = join(dir, `case${i}`);
    mkdirSync(folder);
    for (const [name, data] of Object.entries(toTFJS(c.model))) writeFileSync(join(folder, name), data);
    assertWithin(run(await loadFolder(folder), c.raw), c.expected, 2e-5, `TF.js output of ${c.name}`);
  }
});

test('export --tfjs writes model.json and model.weights.bin; import brings the model back with its columns and classes', async () => {
  const dir = tempDir();
  const c = cases[0];
  writeFileSync(join(dir, 'iris.json'), c.model.toText());
  const r = cli(['export', join(dir, 'iris.json'), '--tfjs', join(dir, 'tf')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /a TensorFlow\.js Layers model on the 4 raw features/);
  const json = JSON.parse(readFileSync(join(dir, 'tf', 'model.json'), 'utf8'));
  assert.equal(json.format, 'layers-model');
  assert.deepEqual(json.weightsManifest[0].paths, [TFJS_WEIGHTS_FILE]);
  assertWithin(run(await loadFolder(join(dir, 'tf')), c.raw), c.expected, 2e-5, 'TF.js output');

  const back = cli(['import', join(dir, 'tf', 'model.json'), '--out', join(dir, 'back.json')]);
  assert.equal(back.status, 0, back.stderr);
  const model = Model.parse(readFileSync(join(dir, 'back.json'), 'utf8'));
  assert.deepEqual(model.schema, c.model.schema);
  assert.equal(model.file.preprocessing.features.kind, 'none', 'the scaling stays folded into the first layer');
  assertWithin(model.predict(iris).outputs!, c.expected, 2e-5, 'imported model');
});

test('the step activation has no TF.js counterpart: the export refuses it, naming the layer', () => {
  const step = interopCases().find((c) => c.name.startsWith('step'))!;
  assert.throws(() => toTFJS(step.model), (e: unknown) => e instanceof BackpropError && /layer 1 uses step, for which TensorFlow\.js has no activation/.test(e.message));
});

/** A TF.js model saved as tfjs-node's file handler saves it: model.json and one weights file. */
async function saveFolder(model: tf.LayersModel, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const manifest = [{ paths: ['group1-shard1of1.bin'], weights: artifacts.weightSpecs! }];
      const { modelTopology, format, generatedBy, convertedBy } = artifacts;
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology, format, generatedBy, convertedBy, weightsManifest: manifest }));
      writeFileSync(join(dir, 'group1-shard1of1.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return join(dir, 'model.json');
}

test('a Sequential model built and trained in TensorFlow.js imports back with equal outputs', async () => {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 6, inputShape: [4], activation: 'relu' }));
  m.add(tf.layers.dense({ units: 5, useBias: false }));
  m.add(tf.layers.leakyReLU({ alpha: 0.01 }));
  m.add(tf.layers.dense({ units: 4, activation: 'tanh' }));
  m.add(tf.layers.dense({ units: 3 }));
  m.add(tf.layers.activation({ activation: 'softmax' }));
  m.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
  const x = tf.tensor2d(iris.rows.map((r) => r.slice(0, 4).map(Number)));
  const labels = iris.rows.map((r) => ['setosa', 'versicolor', 'virginica'].indexOf(r[4]));
  await m.fit(x, tf.oneHot(tf.tensor1d(labels, 'int32'), 3), { epochs: 5, batchSize: 32, verbose: 0 });
  const rows = x.arraySync() as number[][];
  const path = await saveFolder(m, join(tempDir(), 'tfjs'));
  const out = join(tempDir(), 'imported.json');
  const r = cli(['import', path, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /a 4-6-5-4-3 network \(relu, leaky-relu, tanh, softmax; loss cross-entropy\)/);
  const model = Model.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(model.file.data.classes, ['0', '1', '2']);
  assert.deepEqual(model.file.data.features, ['x1', 'x2', 'x3', 'x4']);
  assertWithin(model.network.predict(rows), run(m, rows), 2e-5, 'imported TF.js model');
});

test('a functional chain of Dense layers imports; a regression gets a linear output and no target scaling', async () => {
  const input = tf.input({ shape: [3] });
  const hidden = tf.layers.dense({ units: 4, activation: 'sigmoid' }).apply(input);
  const output = tf.layers.dense({ units: 1 }).apply(hidden) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: output });
  const rows = [[1, 2, 3], [-1, 0.5, 2], [0, 0, 0]];
  const path = await saveFolder(m, join(tempDir(), 'functional'));
  const model = fromTFJS(readFileSync(path, 'utf8'), (p) => new Uint8Array(readFileSync(join(path, '..', p))), path);
  assert.equal(model.file.data.kind, 'regression');
  assertWithin(model.network.predict(rows), run(m, rows), 2e-5, 'imported functional model');
});

/** Runs import on a TF.js folder changed by `edit`; returns the one-line error. */
async function importFails(edit: (json: any, dir: string) => void): Promise<string> {
  const dir = join(tempDir(), 'bad');
  const c = interopCase('iris', iris, { layers: [5] });
  mkdirSync(dir);
  for (const [name, data] of Object.entries(toTFJS(c.model))) writeFileSync(join(dir, name), data);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  edit(json, dir);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  const out = join(dir, 'out.json');
  const r = cli(['import', join(dir, 'model.json'), '--out', out]);
  assert.equal(r.status, 1, r.stdout);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.throws(() => readFileSync(out), 'nothing is written');
  return r.stderr;
}

test('a TF.js model import cannot read is refused in one line naming the file and what is wrong, exit code 1, nothing written', async () => {
  const conv = await importFails((j) => j.modelTopology.config.layers.splice(1, 0, { class_name: 'Conv2D', config: { name: 'conv2d_1', filters: 3 } }));
  assert.match(conv, /bad\/model\.json: layer 'conv2d_1' is a Conv2D: backprop reads Dense layers/);
  const elu = await importFails((j) => (j.modelTopology.config.layers[0].config.activation = 'elu'));
  assert.match(elu, /bad\/model\.json: layer 'dense_1' uses activation 'elu': backprop has sigmoid, tanh, relu, softmax, linear/);
  const short = await importFails((_j, dir) => writeFileSync(join(dir, TFJS_WEIGHTS_FILE), readFileSync(join(dir, TFJS_WEIGHTS_FILE)).subarray(0, 40)));
  assert.match(short, /bad\/model\.json: the weights file model\.weights\.bin holds 40 bytes, but its weightsManifest needs \d+ .*truncated/);
  const missing = await importFails((j) => (j.weightsManifest[0].paths = ['elsewhere.bin']));
  assert.match(missing, /cannot read weights file of .*bad\/model\.json '.*bad\/elsewhere\.bin': no such file/);
  const leaky = await importFails((j) => j.modelTopology.config.layers.splice(1, 0, { class_name: 'LeakyReLU', config: { name: 'lr', alpha: 0.3 } }));
  assert.match(leaky, /layer 'lr' is a LeakyReLU of alpha 0\.3: backprop's leaky relu has slope 0\.01/);
});
