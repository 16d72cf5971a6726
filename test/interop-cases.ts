// Models of every activation, output and scaling, trained briefly, for the PyTorch and TF.js
// export tests: each with its raw feature rows and the outputs `backprop predict` gives for them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetForSchema, Model, parseCsv, parseModelFile, trainModel, type CsvTable, type TrainModelOptions } from '../src/index.js';
import { root } from './helpers.js';

export const iris = parseCsv(readFileSync(join(root, 'data', 'iris.csv'), 'utf8'), 'iris.csv');

/** y = sin(x1) + x2² / 4 − x3, 60 rows, in units far from the scaled ones. */
export const curve: CsvTable = (() => {
  const lines = ['x1,x2,x3,y'];
  for (let i = 0; i < 60; i++) {
    const x1 = ((i * 7) % 13) / 3 - 2;
    const x2 = ((i * 5) % 11) - 5;
    const x3 = (i % 4) * 10;
    lines.push(`${x1},${x2},${x3},${(50 + Math.sin(x1) + (x2 * x2) / 4 - x3).toFixed(4)}`);
  }
  return parseCsv(lines.join('\n') + '\n', 'curve.csv');
})();

export interface InteropCase {
  name: string;
  model: Model;
  table: CsvTable;
  /** Raw feature rows, in the model's column order. */
  raw: number[][];
  /** What backprop predict gives: class probabilities, or [value] in the target's units. */
  expected: number[][];
}

/** A model trained for a few epochs, with `edit` applied to its file (e.g. an activation that cannot be trained). */
export function interopCase(name: string, table: CsvTable, options: TrainModelOptions, edit?: (file: ReturnType<typeof parseModelFile>) => void): InteropCase {
  let { model } = trainModel(table, { epochs: 3, seed: 5, ...options });
  if (edit) {
    const file = parseModelFile(model.toText(), name);
    edit(file);
    model = Model.parse(JSON.stringify({ ...file, checksum: undefined }), name); // edited: its checksum no longer applies
  }
  const raw = datasetForSchema(table, model.schema, false).X.toArray();
  const p = model.predict(table);
  const expected = p.outputs ?? (p.predicted as number[]).map((v) => [v]);
  return { name, model, table, raw, expected };
}

/** Every activation as a hidden layer and as an output, both scalings, classes and numbers, 0 to 2 hidden layers. */
export function interopCases(): InteropCase[] {
  const setAll = (activation: 'step') => (f: ReturnType<typeof parseModelFile>) => f.network.layers.forEach((l) => (l.activation = activation));
  return [
    interopCase('sigmoid → softmax, cross-entropy', iris, { layers: [6], activation: 'sigmoid' }),
    interopCase('tanh → sigmoid, binary cross-entropy, minmax', iris, { layers: [6], activation: 'tanh', outputActivation: 'sigmoid', scale: 'minmax' }),
    interopCase('relu → tanh, squared error', iris, { layers: [6], activation: 'relu', outputActivation: 'tanh', loss: 'mse' }),
    interopCase('leaky-relu, softmax → softmax', iris, { layers: [6, 5], activation: 'leaky-relu' }, (f) => (f.network.layers[1].activation = 'softmax')),
    interopCase('linear → leaky-relu', iris, { layers: [6], activation: 'linear', outputActivation: 'leaky-relu', loss: 'mean-over-elements' }),
    interopCase('no hidden layer, softmax', iris, { layers: [] }),
    interopCase('regression, tanh → linear', curve, { layers: [8], activation: 'tanh' }),
    interopCase('regression, relu → sigmoid (minmax target)', curve, { layers: [8], activation: 'relu', outputActivation: 'sigmoid' }),
    interopCase('regression, leaky-relu → relu, minmax features', curve, { layers: [8], activation: 'leaky-relu', outputActivation: 'relu', scale: 'minmax' }),
    interopCase('regression, no hidden layer', curve, { layers: [] }),
    interopCase('step → step (forward only)', iris, { layers: [6], outputActivation: 'sigmoid', loss: 'mse' }, setAll('step')),
  ];
}
