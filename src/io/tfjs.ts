import { BackpropError } from '../errors.js';
import { LEAKY_SLOPE } from '../nn/activations.js';
import { Model } from './model.js';
import { MODEL_FORMAT, MODEL_VERSION, parseModelFile, type ModelFile } from './model-file.js';
import { tfjsLayers, type ImportedLayer } from './tfjs-topology.js';

/**
 * The TensorFlow.js Layers format: model.json (a Sequential modelTopology of Dense layers, and a
 * weightsManifest) and one weights file of little-endian float32 values, loadable by
 * tf.loadLayersModel. The export takes raw features: the feature scaling is folded into the first
 * Dense layer and a regression's target unscaling into the last (both are affine, so this is exact
 * up to rounding). The import reads a Sequential, or a functional chain, of Dense layers with
 * activations the library has. Browser-safe: bytes in, bytes out.
 */

/** The weights file an export writes, named as TensorFlow.js's own save names it. */
export const TFJS_WEIGHTS_FILE = 'model.weights.bin';

export interface TFJSFiles {
  'model.json': string;
  'model.weights.bin': Uint8Array;
}

export interface TFJSOptions {
  /** Stored as model.json's generatedBy (default 'backprop'). */
  generatedBy?: string;
}

/** A Dense layer as TF.js will run it: kernel inputs × units, row-major. */
interface DenseOut {
  units: number;
  inputs: number;
  activation: string;
  kernel: Float64Array;
  bias?: Float64Array;
}

const TFJS_ACTIVATION: Record<string, string> = { sigmoid: 'sigmoid', tanh: 'tanh', relu: 'relu', softmax: 'softmax', linear: 'linear', 'leaky-relu': 'linear' };

/** The network's layers with the feature scaling folded into the first and the target unscaling into the last. */
function foldedLayers(model: Model): DenseOut[] {
  const layers: DenseOut[] = model.network.layers.map((l, i) => {
    if (!(l.activation.name in TFJS_ACTIVATION)) {
      throw new BackpropError('option', `TF.js export: layer ${i + 1} uses ${l.activation.name}, for which TensorFlow.js has no activation`);
    }
    return { units: l.units, inputs: l.inputs, activation: l.activation.name, kernel: Float64Array.from(l.W.data), bias: l.useBias ? Float64Array.from(l.b) : undefined };
  });
  const { features, target } = model.file.preprocessing;
  // X = (raw − shift) / scale, so X·W + b = raw·(W / scale) + (b − Σ_j shift_j · W_j / scale_j)
  const first = layers[0];
  const bias = first.bias ?? new Float64Array(first.units);
  for (let j = 0; j < first.inputs; j++) {
    for (let c = 0; c < first.units; c++) {
      const w = (first.kernel[j * first.units + c] /= features.scale[j]);
      bias[c] -= features.shift[j] * w;
    }
  }
  if (first.bias || bias.some((v) => v !== 0)) first.bias = bias;
  if (!target) return layers;
  const last = layers[layers.length - 1];
  const [s, t] = [target.scale[0], target.shift[0]];
  if (last.activation === 'linear') {
    // y = (H·W + b)·s + t = H·(W·s) + (b·s + t)
    last.kernel = last.kernel.map((w) => w * s);
    last.bias = (last.bias ?? new Float64Array(last.units)).map((b) => b * s + t);
  } else {
    // a non-linear output is unscaled by a 1 × 1 linear Dense layer after it
    layers.push({ units: 1, inputs: 1, activation: 'linear', kernel: Float64Array.of(s), bias: Float64Array.of(t) });
  }
  return layers;
}

/** The model as a TF.js Layers model: model.json and its weights file. */
export function toTFJS(model: Model, options: TFJSOptions = {}): TFJSFiles {
  const dense = foldedLayers(model);
  const names = model.network.layers.map((l) => l.activation.name);
  const topology: object[] = [];
  const weights: { name: string; shape: number[]; dtype: 'float32' }[] = [];
  const values: Float64Array[] = [];
  dense.forEach((d, i) => {
    const name = i < names.length ? `dense_${i + 1}` : 'unscale_target';
    topology.push({
      class_name: 'Dense',
      config: {
        units: d.units,
        activation: TFJS_ACTIVATION[d.activation],
        use_bias: d.bias !== undefined,
        name,
        trainable: true,
        dtype: 'float32',
        ...(i === 0 ? { batch_input_shape: [null, d.inputs] } : {}),
      },
    });
    weights.push({ name: `${name}/kernel`, shape: [d.inputs, d.units], dtype: 'float32' });
    values.push(d.kernel);
    if (d.bias) {
      weights.push({ name: `${name}/bias`, shape: [d.units], dtype: 'float32' });
      values.push(d.bias);
    }
    if (d.activation === 'leaky-relu') {
      topology.push({ class_name: 'LeakyReLU', config: { alpha: LEAKY_SLOPE, name: `leaky_re_lu_${i + 1}`, trainable: true, dtype: 'float32' } });
    }
  });
  const bytes = new Uint8Array(4 * values.reduce((n, v) => n + v.length, 0));
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const v of values) for (const x of v) view.setFloat32((at++) * 4, x, true);
  const { data, training } = model.file;
  const json = {
    format: 'layers-model',
    generatedBy: options.generatedBy ?? 'backprop',
    convertedBy: null,
    modelTopology: { class_name: 'Sequential', config: { name: 'backprop', layers: topology }, backend: 'tensor_flow.js' },
    weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights }],
    // what the model file knows beyond the weights, so that an import gives back the columns and classes
    userDefinedMetadata: { backprop: { data, training, loss: model.network.loss.name } },
  };
  return { 'model.json': JSON.stringify(json, null, 1) + '\n', 'model.weights.bin': bytes };
}

/**
 * The model of a TF.js Layers model.json, its weights files read through `readWeights(path)`.
 * A model exported by backprop comes back with its columns, classes and training settings, on raw
 * features (the scaling stays folded in); any other model gets columns x1, x2, …, and classes
 * 0, 1, … when its output is softmax or sigmoid over two or more units.
 */
export function fromTFJS(modelJson: string, readWeights: (path: string) => Uint8Array, source = 'model.json'): Model {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(modelJson) as Record<string, unknown>;
  } catch (err) {
    throw new BackpropError('model', `${source} is not valid JSON (truncated or damaged?): ${(err as Error).message.replace(/\s+/g, ' ')}`);
  }
  const layers = tfjsLayers(json, readWeights, source);
  const meta = (json.userDefinedMetadata as { backprop?: { data: ModelFile['data']; training: ModelFile['training']; loss: string } } | undefined)?.backprop;
  const file = meta ? ownModelFile(layers, meta, source) : foreignModelFile(layers, json, source);
  return new Model(parseModelFile(JSON.stringify(file), source));
}

function network(layers: ImportedLayer[], loss: string): ModelFile['network'] {
  return { inputs: layers[0].inputs, loss: loss as ModelFile['network']['loss'], layers: layers.map((l) => l.spec) };
}

const identity = (n: number) => ({ kind: 'none' as const, shift: new Array<number>(n).fill(0), scale: new Array<number>(n).fill(1) });

/** A model that backprop exported: its columns, classes and settings come back from the metadata. */
function ownModelFile(layers: ImportedLayer[], meta: { data: ModelFile['data']; training: ModelFile['training']; loss: string }, source: string): ModelFile {
  // (a regression's 1 × 1 unscaling layer, when there is one, stays: a linear layer like any other)
  const regression = meta.data.kind === 'regression';
  if (!Array.isArray(meta.data?.features) || meta.data.features.length !== layers[0].inputs) {
    throw new BackpropError('model', `${source}: its backprop metadata names ${meta.data?.features?.length} feature columns, but the first layer takes ${layers[0].inputs} inputs`);
  }
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    network: network(layers, meta.loss),
    data: meta.data,
    preprocessing: { features: identity(layers[0].inputs), ...(regression ? { target: identity(1) } : {}) },
    training: meta.training,
  };
}

/** Keras' and TF.js's names of the losses the library has. */
const LOSSES: Record<string, string> = {
  categoricalcrossentropy: 'cross-entropy',
  binarycrossentropy: 'binary-cross-entropy',
  meansquarederror: 'mean-over-elements',
  mse: 'mean-over-elements',
};

/** A model from elsewhere: columns x1, x2, …; classes 0, 1, … for a softmax or sigmoid output of two or more units. */
function foreignModelFile(layers: ImportedLayer[], json: Record<string, unknown>, source: string): ModelFile {
  const last = layers[layers.length - 1].spec;
  const classes = (last.activation === 'softmax' || last.activation === 'sigmoid') && last.units >= 2 ? Array.from({ length: last.units }, (_, k) => String(k)) : undefined;
  const config = (json.trainingConfig ?? (json.modelTopology as Record<string, unknown>)?.training_config) as { loss?: unknown } | undefined;
  const named = typeof config?.loss === 'string' ? LOSSES[config.loss.toLowerCase().replace(/_/g, '')] : undefined;
  const fused = named === 'cross-entropy' ? 'softmax' : named === 'binary-cross-entropy' ? 'sigmoid' : last.activation;
  const loss = named && fused === last.activation ? named : last.activation === 'softmax' ? 'cross-entropy' : classes && last.activation === 'sigmoid' ? 'binary-cross-entropy' : 'mean-over-elements';
  const inputs = layers[0].inputs;
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    network: network(layers, loss),
    data: {
      source,
      rows: 0,
      fingerprint: '',
      features: Array.from({ length: inputs }, (_, j) => `x${j + 1}`),
      target: 'y',
      kind: classes ? 'classification' : 'regression',
      ...(classes ? { classes } : {}),
    },
    preprocessing: { features: identity(inputs), ...(classes ? {} : { target: identity(1) }) },
    // the settings `backprop train` uses by default, for training it further
    training: {
      optimizer: 'adam',
      learningRate: 0.01,
      batchSize: 32,
      epochs: 100,
      seed: 1,
      testSplit: 0,
      stratified: false,
      testRows: [],
      history: { loss: [], epochs: 0, stopReason: 'imported', seconds: 0 },
      metrics: {},
    },
  };
}
