// The checks behind the export and round-trip properties, one random case each; the default
// suite and the long one (test/long/) run them over different numbers and sizes of networks.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyScaler, invertScaler, Matrix, Model, modelFileToText, Network, networkFromModelFile, parseModelFile, type ModelFile } from '../src/index.js';
import { buildNetwork, nearZero, networkOf, type NetworkCase, type ScaledNetworkCase, type WeightCase } from './arbitraries.js';
import { runOnnx } from './onnx-runtime.js';
import { toONNX } from '../src/onnx.js';

const STEP = new Set(['step']);

/** Every output within tol of the expected one, relative to its size above 1. */
export function assertWithin(actual: number[][], expected: number[][], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: rows`);
  expected.forEach((row, i) => {
    assert.equal(actual[i].length, row.length, `${what}: width of row ${i}`);
    row.forEach((e, j) => {
      const d = Math.abs(actual[i][j] - e);
      const allowed = tol * Math.max(1, Math.abs(e));
      assert.ok(d <= allowed, `${what}[${i}][${j}] = ${actual[i][j]}, predict gives ${e} (difference ${d}, allowed ${allowed})`);
    });
  });
}

/** The features behind a case's inputs when they are read as scaled ones, and the expected outputs in the target's units. */
function scaled({ c, pre, post }: ScaledNetworkCase) {
  const { net, X } = buildNetwork(c);
  const features = { kind: 'standard' as const, ...pre };
  const raw = invertScaler(features, Matrix.from(X)).toArray();
  const inputs = applyScaler(features, Matrix.from(raw));
  const expected = invertScaler({ kind: 'standard', ...post }, Matrix.from(net.predict(inputs))).toArray();
  return { net, raw, inputs: inputs.toArray(), expected };
}

/** ONNX Runtime on the export gives predict's outputs: within 1e-5 in float32, 1e-12 in float64. */
export async function checkOnnx(c: NetworkCase, dtype: 'float32' | 'float64'): Promise<string[]> {
  const { net, X } = buildNetwork(c);
  // float32 rounding may move a step input that lies next to 0 across it.
  if (dtype === 'float32') fc.pre(!nearZero(net, X, STEP, 1e-3));
  const tol = dtype === 'float32' ? 1e-5 : 1e-12;
  assertWithin(await runOnnx(toONNX(net, { dtype }), X, dtype), net.predict(X), tol, `ONNX ${dtype} output`);
  return net.layers.map((l) => l.activation.name);
}

/** With the scalings as graph nodes, the float64 ONNX model takes raw features and answers in the target's units. */
export async function checkOnnxScalings(s: ScaledNetworkCase): Promise<void> {
  const { net, raw, expected } = scaled(s);
  const bytes = toONNX(net, { preprocess: s.pre, postprocess: s.post, dtype: 'float64' });
  assertWithin(await runOnnx(bytes, raw, 'float64'), expected, 1e-9, 'ONNX output on raw features');
}

/** The function an 'expression' source evaluates to. */
export function evaluateSource(source: string): (input: unknown) => number[] | number[][] {
  return new Function(`'use strict'; return ${source};`)() as (input: unknown) => number[] | number[][];
}

/** The generated function gives predict's outputs within 1e-12, on rows, one row and typed rows. */
export function checkStandalone(c: NetworkCase): string[] {
  const { net, X } = buildNetwork(c);
  const predict = evaluateSource(net.toFunction());
  const expected = net.predict(X);
  assertWithin(predict(X) as number[][], expected, 1e-12, 'rows');
  assertWithin([predict(X[0]) as number[]], [expected[0]], 1e-12, 'one row');
  assertWithin(predict(X.map((r) => Float64Array.from(r))) as number[][], expected, 1e-12, 'typed rows');
  return net.layers.map((l) => l.activation.name);
}

/** With the scalings written in, the generated function takes raw features and answers in the target's units. */
export function checkStandaloneScalings(s: ScaledNetworkCase): void {
  const { net, raw, expected } = scaled(s);
  assertWithin(evaluateSource(net.toFunction({ preprocess: s.pre, postprocess: s.post }))(raw) as number[][], expected, 1e-12, 'raw rows');
}

/** toJSON → JSON text → fromJSON: the same predictions bit for bit, and the same JSON again. */
export function checkJsonRoundTrip(w: WeightCase): void {
  const net = networkOf(w);
  const text = JSON.stringify(net.toJSON());
  const back = Network.fromJSON(JSON.parse(text));
  assert.deepEqual(back.predict(w.X), net.predict(w.X));
  assert.equal(JSON.stringify(back.toJSON()), text);
  assert.equal(back.loss.name, net.loss.name);
  assert.equal(back.seed, net.seed);
}

/** A complete model file around a network: a classification when it has 2 or more outputs, else a regression. */
export function modelFileFor(net: Network, features: { shift: number[]; scale: number[] }, target: { shift: number[]; scale: number[] }): ModelFile {
  const classification = net.outputs >= 2;
  return {
    format: 'backprop-model',
    version: 1,
    network: net.toJSON() as ModelFile['network'],
    data: {
      source: 'generated.csv',
      rows: 10,
      fingerprint: '0123abcd',
      features: Array.from({ length: net.inputs }, (_, j) => `x${j + 1}`),
      target: 'y',
      kind: classification ? 'classification' : 'regression',
      ...(classification ? { classes: Array.from({ length: net.outputs }, (_, k) => `class ${k}`) } : {}),
    },
    preprocessing: {
      features: { kind: 'standard', ...features },
      ...(classification ? {} : { target: { kind: 'minmax' as const, ...target } }),
    },
    training: {
      optimizer: 'adam',
      learningRate: 0.01,
      batchSize: 'full',
      epochs: 3,
      seed: net.seed,
      testSplit: 0.2,
      stratified: classification,
      testRows: [1, 7],
      history: { loss: [0.5, 0.25, 0.125], epochs: 3, stopReason: 'epochs', seconds: 0.01 },
      metrics: { trainLoss: 0.125, testLoss: null },
    },
  };
}

/** Save → model file text → load: the same predictions bit for bit; saving the loaded model gives the same text. */
export function checkModelFileRoundTrip(w: WeightCase, features: { shift: number[]; scale: number[] }, target: { shift: number[]; scale: number[] }): void {
  const net = networkOf(w);
  const text = modelFileToText(modelFileFor(net, features, target));
  const file = parseModelFile(text, 'round trip');
  assert.deepEqual(networkFromModelFile(file).predict(w.X), net.predict(w.X));
  assert.deepEqual(file.preprocessing.features.shift, features.shift.map((v) => v + 0)); // −0 is saved as 0
  const model = Model.parse(text, 'round trip');
  assert.deepEqual(model.network.predict(w.X), net.predict(w.X));
  assert.equal(model.toText(), text);
}
