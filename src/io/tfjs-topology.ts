import { BackpropError } from '../errors.js';
import { LEAKY_SLOPE } from '../nn/activations.js';
import type { ModelFile } from './model-file.js';

/**
 * Reading a TF.js Layers model.json: its layers (a Sequential, or a functional chain, of Dense
 * layers, each optionally followed by an Activation or a LeakyReLU layer) and the weights its
 * weightsManifest describes, checked against the weights files' sizes.
 */

/** A Dense layer read from a TF.js model, as a model file's layer. */
export interface ImportedLayer {
  name: string;
  inputs: number;
  spec: ModelFile['network']['layers'][number];
}

interface KerasLayer {
  class_name?: unknown;
  name?: unknown;
  config?: Record<string, unknown>;
  inbound_nodes?: unknown;
}

const ACTIVATIONS: Record<string, string> = { sigmoid: 'sigmoid', tanh: 'tanh', relu: 'relu', softmax: 'softmax', linear: 'linear' };
const SUPPORTED =
  'backprop reads Dense layers (activations sigmoid, tanh, relu, softmax, linear), each optionally followed by an Activation layer ' +
  `or a LeakyReLU layer of alpha ${LEAKY_SLOPE}, and an InputLayer`;

/** The Dense layers of a model.json with their weights, every unsupported layer refused by name. */
export function tfjsLayers(json: Record<string, unknown>, readWeights: (path: string) => Uint8Array, source: string): ImportedLayer[] {
  const fail = (what: string): never => {
    throw new BackpropError('model', `${source}: ${what}`);
  };
  const layers = topologyLayers(json, fail);
  const weights = readManifest(json, readWeights, fail);
  const dense: { name: string; units: number; activation: string; bias: boolean; inputs?: number }[] = [];
  let inputs: number | undefined;
  for (const layer of layers) {
    const kind = String(layer.class_name);
    const config = layer.config ?? {};
    const name = String(config.name ?? layer.name ?? `#${dense.length + 1}`);
    const shape = (config.batch_input_shape ?? config.batchInputShape ?? config.batch_shape) as unknown[] | undefined;
    if (Array.isArray(shape) && typeof shape[shape.length - 1] === 'number') inputs ??= shape[shape.length - 1] as number;
    if (kind === 'InputLayer') continue;
    const prev = dense[dense.length - 1];
    if (kind === 'Dense') {
      dense.push({ name, units: Number(config.units), activation: activationName(config.activation, name, fail), bias: config.use_bias !== false });
    } else if (kind === 'Activation' || kind === 'LeakyReLU') {
      const act = kind === 'LeakyReLU' ? leaky(config.alpha, name, fail) : activationName(config.activation, name, fail);
      if (!prev || prev.activation !== 'linear') fail(`layer '${name}' (${kind}) does not follow a Dense layer without activation: ${SUPPORTED}`);
      prev!.activation = act;
    } else {
      fail(`layer '${name}' is a ${kind}: ${SUPPORTED}`);
    }
  }
  if (dense.length === 0) fail(`has no Dense layer: ${SUPPORTED}`);
  let fanIn = inputs ?? weights.get(`${dense[0].name}/kernel`)?.shape[0];
  return dense.map((d) => {
    const kernel = findWeight(weights, `${d.name}/kernel`, fail);
    const expected = [fanIn ?? kernel.shape[0], d.units];
    if (kernel.shape.length !== 2 || kernel.shape[0] !== expected[0] || kernel.shape[1] !== expected[1]) {
      fail(`weight '${d.name}/kernel' has shape [${kernel.shape.join(', ')}], but layer '${d.name}' takes ${expected[0]} inputs to ${d.units} units`);
    }
    const rows = Array.from({ length: expected[0] }, (_, r) => Array.from(kernel.values.subarray(r * d.units, (r + 1) * d.units)));
    let biases: number[] | undefined;
    if (d.bias) {
      const b = findWeight(weights, `${d.name}/bias`, fail);
      if (b.shape.length !== 1 || b.shape[0] !== d.units) fail(`weight '${d.name}/bias' has shape [${b.shape.join(', ')}], but layer '${d.name}' has ${d.units} units`);
      biases = Array.from(b.values);
    }
    const layer: ImportedLayer = { name: d.name, inputs: expected[0], spec: { units: d.units, activation: d.activation as never, bias: d.bias, weights: rows, ...(biases ? { biases } : {}) } };
    fanIn = d.units;
    return layer;
  });
}

/** The layers in order: a Sequential's list, or a functional model's, checked to be a single chain. */
function topologyLayers(json: Record<string, unknown>, fail: (what: string) => never): KerasLayer[] {
  const top = json.modelTopology as Record<string, unknown> | undefined;
  if (!top || typeof top !== 'object') fail('has no modelTopology: expected a TensorFlow.js Layers model.json');
  const model = (top!.model_config ?? top) as { class_name?: unknown; config?: unknown };
  const config = model.config as { layers?: unknown } | unknown[] | undefined;
  const layers = (Array.isArray(config) ? config : config?.layers) as KerasLayer[] | undefined;
  if (!Array.isArray(layers)) fail(`its modelTopology (${String(model.class_name)}) holds no list of layers`);
  if (model.class_name === 'Sequential') return layers!;
  if (model.class_name !== 'Model' && model.class_name !== 'Functional') fail(`its modelTopology is a ${String(model.class_name)}: expected a Sequential or a functional Model`);
  layers!.forEach((layer, i) => {
    const nodes = layer.inbound_nodes as unknown[][][] | undefined;
    const from = i === 0 ? [] : [layers![i - 1].name];
    const got = Array.isArray(nodes) ? nodes.flat().map((n) => n[0]) : [];
    if (got.length !== from.length || got.some((n, k) => n !== from[k])) {
      fail(`layer '${String(layer.name)}' takes its input from ${got.length ? got.map((n) => `'${String(n)}'`).join(', ') : 'no layer'}: backprop reads a chain of layers, each fed by the one before`);
    }
  });
  return layers!;
}

function activationName(raw: unknown, layer: string, fail: (what: string) => never): string {
  const name = raw === undefined || raw === null ? 'linear' : String(raw);
  const known = ACTIVATIONS[name];
  if (!known) fail(`layer '${layer}' uses activation '${name}': backprop has sigmoid, tanh, relu, softmax, linear, and leaky relu (a LeakyReLU layer of alpha ${LEAKY_SLOPE})`);
  return known;
}

function leaky(alpha: unknown, layer: string, fail: (what: string) => never): string {
  if (typeof alpha !== 'number' || Math.fround(alpha) !== Math.fround(LEAKY_SLOPE)) {
    fail(`layer '${layer}' is a LeakyReLU of alpha ${String(alpha)}: backprop's leaky relu has slope ${LEAKY_SLOPE}`);
  }
  return 'leaky-relu';
}

/** Every weight of the manifest, by name, read from its group's files (concatenated in order). */
function readManifest(json: Record<string, unknown>, readWeights: (path: string) => Uint8Array, fail: (what: string) => never) {
  const manifest = json.weightsManifest as { paths?: unknown; weights?: unknown }[] | undefined;
  if (!Array.isArray(manifest)) fail('has no weightsManifest: expected a list of { paths, weights }');
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const group of manifest!) {
    const paths = group.paths as string[];
    const specs = group.weights as { name: string; shape: number[]; dtype?: string; quantization?: unknown }[];
    if (!Array.isArray(paths) || !Array.isArray(specs) || !paths.every((p) => typeof p === 'string')) {
      fail('weightsManifest: each group needs a list of paths (file names) and a list of weights');
    }
    const parts = paths.map((p) => readWeights(String(p).replace(/^\.\//, '')));
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (bytes.set(p, at), at + p.length), 0);
    const files = paths.join(', ');
    let at = 0;
    for (const w of specs) {
      if (w === null || typeof w !== 'object' || typeof w.name !== 'string') fail(`weightsManifest: a weight without a name: ${JSON.stringify(w)}`);
      if ((w.dtype ?? 'float32') !== 'float32' || w.quantization) fail(`weight '${w.name}' is stored as ${w.quantization ? 'quantized ' : ''}${w.dtype}: backprop reads float32 weights`);
      if (!Array.isArray(w.shape) || !w.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`weight '${w.name}' has shape ${JSON.stringify(w.shape)}: expected whole numbers`);
      const size = w.shape.reduce((a, b) => a * b, 1);
      if (at + 4 * size > bytes.length) {
        fail(`the weights file ${files} holds ${bytes.length} bytes, but its weightsManifest needs ${4 * specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0)} (it ends inside weight '${w.name}': truncated?)`);
      }
      const values = new Float32Array(size);
      const view = new DataView(bytes.buffer, at, 4 * size);
      for (let i = 0; i < size; i++) values[i] = view.getFloat32(4 * i, true);
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) fail(`weight '${w.name}' holds ${values[bad]} at position ${bad}: weights must be finite numbers`);
      at += 4 * size;
      out.set(w.name, { shape: w.shape, values });
    }
    if (at !== bytes.length) fail(`the weights file ${files} holds ${bytes.length} bytes, but its weightsManifest describes ${at}`);
  }
  return out;
}

/** A weight by name: exactly, or as the one name ending in /name (a scope in front). */
function findWeight(weights: Map<string, { shape: number[]; values: Float32Array }>, name: string, fail: (what: string) => never) {
  const exact = weights.get(name);
  if (exact) return exact;
  const scoped = [...weights.keys()].filter((k) => k.endsWith(`/${name}`));
  if (scoped.length === 1) return weights.get(scoped[0])!;
  return fail(`its weightsManifest has no weight '${name}'`);
}
