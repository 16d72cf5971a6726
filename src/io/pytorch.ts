import { BackpropError } from '../errors.js';
import { Model } from './model.js';
import { parseModelFile, type ModelFile } from './model-file.js';
import { modelPy } from './pytorch-model-py.js';
import { TRAIN_PY } from './pytorch-train-py.js';
import { decodeSafetensors, encodeSafetensors, type TensorRead, type TensorToWrite } from './safetensors.js';

/**
 * The PyTorch folder of a model, written by `export --pytorch` and read back by `import`:
 *   model.safetensors  every weight and bias, named as PyTorch names them (layers.0.weight, out × in),
 *                      and the scalings (feature_shift, feature_scale, target_shift, target_scale), float32
 *   model.json         the backprop model file: architecture, loss, optimizer, preprocessing, classes
 *   model.py           load(dir) → torch.nn.Module on raw features, the activations, losses and optimizers
 *   train.py           DistributedDataParallel training with the model's own settings, writing this layout
 * Nothing here touches files: the caller writes the bytes (Node) or offers them as downloads (a page).
 */
export interface PyTorchFolder {
  'model.safetensors': Uint8Array;
  'model.json': string;
  'model.py': string;
  'train.py': string;
}

const FLOAT32_MAX = 3.4028234663852886e38;

/** The tensors of model.safetensors for a model: the layers in PyTorch's layout, then the scalings. */
function tensorsOf(model: Model): TensorToWrite[] {
  const tensors: TensorToWrite[] = [];
  model.network.layers.forEach((layer, i) => {
    // PyTorch's Linear keeps weight as out × in: the transpose of W (in × out).
    const weight = new Float64Array(layer.units * layer.inputs);
    for (let r = 0; r < layer.inputs; r++) {
      for (let c = 0; c < layer.units; c++) weight[c * layer.inputs + r] = layer.W.data[r * layer.units + c];
    }
    tensors.push({ name: `layers.${i}.weight`, shape: [layer.units, layer.inputs], values: weight });
    if (layer.useBias) tensors.push({ name: `layers.${i}.bias`, shape: [layer.units], values: layer.b });
  });
  const { features, target } = model.file.preprocessing;
  tensors.push({ name: 'feature_shift', shape: [features.shift.length], values: features.shift });
  tensors.push({ name: 'feature_scale', shape: [features.scale.length], values: features.scale });
  if (target) {
    tensors.push({ name: 'target_shift', shape: [1], values: target.shift });
    tensors.push({ name: 'target_scale', shape: [1], values: target.scale });
  }
  for (const t of tensors) {
    const big = Array.from(t.values).findIndex((v) => Math.abs(v) > FLOAT32_MAX);
    if (big >= 0) throw new BackpropError('value', `PyTorch export: ${t.name} holds ${t.values[big]}, beyond float32's range`);
  }
  return tensors;
}

/** The four files of the PyTorch folder for a model (see PyTorchFolder). */
export function toPyTorch(model: Model): PyTorchFolder {
  return {
    'model.safetensors': encodeSafetensors(tensorsOf(model), { format: 'pt', producer: 'backprop' }),
    'model.json': model.toText(),
    'model.py': modelPy(model.file.training.optimizer),
    'train.py': TRAIN_PY,
  };
}

/** The names the files are called by in messages. */
export interface PyTorchSources {
  json?: string;
  safetensors?: string;
}

/**
 * The model of a PyTorch folder: model.json's model file with the weights and biases of
 * model.safetensors, whose tensors must match model.json's layers in name and shape. When every
 * value equals model.json's own to float32 rounding (a folder as exported, untouched), model.json's
 * float64 values are kept, so an export and import change nothing.
 */
export function fromPyTorch(modelJson: string, safetensors: Uint8Array, sources: PyTorchSources = {}): Model {
  const jsonName = sources.json ?? 'model.json';
  const stName = sources.safetensors ?? 'model.safetensors';
  const file = parseModelFile(modelJson, jsonName);
  const { tensors } = decodeSafetensors(safetensors, stName);
  const fail = (what: string): never => {
    throw new BackpropError('model', `${stName}: ${what}`);
  };
  const take = (name: string, shape: number[], what: string): TensorRead => {
    const t = tensors.get(name);
    if (!t) fail(`has no tensor '${name}' (${what}, [${shape.join(', ')}] in PyTorch's layout)`);
    if (t!.shape.length !== shape.length || t!.shape.some((d, k) => d !== shape[k])) {
      fail(`tensor '${name}' has shape [${t!.shape.join(', ')}], but ${jsonName} says ${what}: expected [${shape.join(', ')}]`);
    }
    const bad = t!.values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) fail(`tensor '${name}' holds ${t!.values[bad]} at position ${bad}: weights must be finite numbers`);
    tensors.delete(name);
    return t!;
  };
  let unchanged = true;
  const same = (a: number, b: number) => Math.fround(a) === Math.fround(b);
  let fanIn = file.network.inputs;
  const layers = file.network.layers.map((l, i) => {
    const what = `layer ${i + 1} takes ${fanIn} inputs to ${l.units} units`;
    const w = take(`layers.${i}.weight`, [l.units, fanIn], what).values;
    const inputs = fanIn;
    const weights = l.weights.map((row, r) => row.map((v, c) => {
      const x = w[c * inputs + r];
      if (!same(x, v)) unchanged = false;
      return x;
    }));
    fanIn = l.units;
    if (!l.bias) return { ...l, weights };
    const b = take(`layers.${i}.bias`, [l.units], `layer ${i + 1} has ${l.units} biases`).values;
    if (l.biases!.some((v, k) => !same(b[k], v))) unchanged = false;
    return { ...l, weights, biases: Array.from(b) };
  });
  checkScalings(file, tensors, take, jsonName, fail);
  const extra = [...tensors.keys()];
  if (extra.length) fail(`holds tensor '${extra[0]}', which is not among ${jsonName}'s ${file.network.layers.length} layers and scalings`);
  if (unchanged) return new Model(file);
  // the weights come from the safetensors file: the checksum of model.json's own no longer applies
  return new Model(parseModelFile(JSON.stringify({ ...file, network: { ...file.network, layers }, checksum: undefined }), jsonName));
}

/** The scaling tensors, when present, must be model.json's scalings (to float32 rounding). */
function checkScalings(
  file: ModelFile,
  present: ReadonlyMap<string, TensorRead>,
  take: (name: string, shape: number[], what: string) => TensorRead,
  jsonName: string,
  fail: (w: string) => never,
): void {
  const { features, target } = file.preprocessing;
  const parts: [string, readonly number[] | undefined][] = [
    ['feature_shift', features.shift],
    ['feature_scale', features.scale],
    ['target_shift', target?.shift],
    ['target_scale', target?.scale],
  ];
  for (const [name, expected] of parts) {
    if (!expected || !present.has(name)) continue;
    const t = take(name, [expected.length], `${expected.length} values`);
    const k = Array.from(t.values).findIndex((v, j) => Math.fround(v) !== Math.fround(expected[j]));
    if (k >= 0) fail(`tensor '${name}' holds ${t.values[k]} at position ${k}, but ${jsonName}'s scaling has ${expected[k]}: the preprocessing comes from ${jsonName}, so the two must agree`);
  }
}
