import { z } from 'zod';
import { BackpropError } from '../errors.js';
import { ACTIVATION_NAMES } from '../nn/activations.js';
import { LOSS_NAMES } from '../nn/losses.js';
import { Network } from '../nn/network.js';
import { OPTIMIZER_NAMES } from '../train/optimizers.js';
import { SCALING_NAMES } from '../data/preprocess.js';

/**
 * The model file: versioned JSON holding everything needed to use a trained network on new
 * data (architecture and weights, the columns and classes, the fitted scaling) and how it was
 * trained (loss, optimizer, seed, split, history, figures). Text in, text out: the same
 * functions load it in Node and in a browser; reading and writing files is the caller's part.
 */
export const MODEL_FORMAT = 'backprop-model';
/** The format version this code writes, and the newest it reads. */
export const MODEL_VERSION = 1;

const finite = z.number();
const count = z.number().int().nonnegative();
const positiveInt = z.number().int().positive();

const scalerSchema = z.object({
  kind: z.enum(SCALING_NAMES),
  shift: z.array(finite),
  scale: z.array(z.number().positive()),
});

const layerSchema = z.object({
  units: positiveInt,
  activation: z.enum(ACTIVATION_NAMES),
  bias: z.boolean(),
  weights: z.array(z.array(finite)),
  biases: z.array(finite).optional(),
});

const historySchema = z.object({
  loss: z.array(finite),
  accuracy: z.array(finite).optional(),
  valLoss: z.array(finite).optional(),
  valAccuracy: z.array(finite).optional(),
  /** The test part's loss after each epoch (watched only: it never steers training). */
  testLoss: z.array(finite).optional(),
  learningRate: z.array(finite).optional(),
  epochs: count,
  stopReason: z.string(),
  bestEpoch: count.optional(),
  seconds: z.number().nonnegative(),
});

const modelFileSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.literal(MODEL_VERSION),
  network: z.object({
    inputs: positiveInt,
    loss: z.enum(LOSS_NAMES),
    seed: z.number().int().optional(),
    layers: z.array(layerSchema).min(1),
  }),
  data: z.object({
    /** Where the training data came from (a file name or a bundled dataset's name). */
    source: z.string(),
    /** Data rows in the training file, and a fingerprint of its text, to recognise it again. */
    rows: positiveInt,
    fingerprint: z.string(),
    features: z.array(z.string()).min(1),
    target: z.string(),
    kind: z.enum(['classification', 'regression']),
    classes: z.array(z.string()).min(2).optional(),
  }),
  preprocessing: z.object({
    features: scalerSchema,
    /** For a regression: the targets' scaling, undone on the predictions. */
    target: scalerSchema.optional(),
  }),
  training: z.object({
    optimizer: z.enum(OPTIMIZER_NAMES),
    learningRate: z.number().positive(),
    batchSize: z.union([z.literal('full'), positiveInt]),
    epochs: positiveInt,
    seed: z.number().int(),
    testSplit: z.number().min(0).lt(1),
    stratified: z.boolean(),
    validationSplit: z.number().gt(0).lt(1).optional(),
    earlyStop: positiveInt.optional(),
    /** Row indices (0-based, among the data rows) of the test part. */
    testRows: z.array(count),
    history: historySchema,
    /** Final figures: trainLoss, testLoss, testAccuracy, …; null where there is no test part. */
    metrics: z.record(z.string(), finite.nullable()),
  }),
});

export type ModelFile = z.infer<typeof modelFileSchema>;
export type ModelHistory = ModelFile['training']['history'];

/** "network.layers[0].weights[1][2]": a zod issue path the way a person would write it. */
function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(the whole file)';
}

/** Reads a model file's text; throws a BackpropError naming `source` and the field that is wrong. */
export function parseModelFile(text: string, source = 'model file'): ModelFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new BackpropError(
      'model',
      `${source} is not valid JSON, so it is not a readable model file (truncated or damaged?): ${(err as Error).message.replace(/\s+/g, ' ')}`,
    );
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new BackpropError('model', `${source} is not a backprop model file: expected a JSON object with "format": "${MODEL_FORMAT}"`);
  }
  const obj = raw as Record<string, unknown>;
  if (obj.format !== MODEL_FORMAT) {
    throw new BackpropError(
      'model',
      `${source} is not a backprop model file: field format is ${JSON.stringify(obj.format)}, expected "${MODEL_FORMAT}"`,
    );
  }
  if (typeof obj.version !== 'number' || !Number.isInteger(obj.version) || obj.version < 1) {
    throw new BackpropError('model', `${source}: field version is ${JSON.stringify(obj.version)}, expected a format version such as ${MODEL_VERSION}`);
  }
  if (obj.version > MODEL_VERSION) {
    throw new BackpropError(
      'model',
      `${source}: field version is ${obj.version}, a model format newer than this backprop reads (version ${MODEL_VERSION}): upgrade backprop to load it`,
    );
  }
  const parsed = modelFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const first = issues.slice(0, 3).map((i) => `field ${fieldName(i.path)}: ${i.message}`);
    const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
    throw new BackpropError('model', `${source} is damaged or was edited: ${first.join('; ')}${more}`);
  }
  checkConsistency(parsed.data, source);
  networkFromModelFile(parsed.data, source);
  return parsed.data;
}

/** The checks zod cannot express field by field: the shapes must agree with each other. */
function checkConsistency(f: ModelFile, source: string): void {
  const bad = (field: string, what: string): never => {
    throw new BackpropError('model', `${source} is damaged or was edited: field ${field}: ${what}`);
  };
  const { network: net, data, preprocessing: pre, training } = f;
  if (net.inputs !== data.features.length) {
    bad('network.inputs', `is ${net.inputs}, but data.features names ${data.features.length} columns`);
  }
  let fanIn = net.inputs;
  net.layers.forEach((l, i) => {
    const at = `network.layers[${i}]`;
    if (l.weights.length !== fanIn) bad(`${at}.weights`, `has ${l.weights.length} rows, expected ${fanIn} (the layer's inputs)`);
    l.weights.forEach((row, r) => {
      if (row.length !== l.units) bad(`${at}.weights[${r}]`, `has ${row.length} values, expected ${l.units} (the layer's units)`);
    });
    if (l.bias && l.biases?.length !== l.units) bad(`${at}.biases`, `expected ${l.units} biases, as bias is true`);
    if (!l.bias && l.biases !== undefined) bad(`${at}.biases`, 'present, but bias is false');
    fanIn = l.units;
  });
  const outputs = fanIn;
  const last = `network.layers[${net.layers.length - 1}].units`;
  if (data.kind === 'classification') {
    if (!data.classes) bad('data.classes', 'missing: a classification model needs its class names');
    if (data.classes!.length !== outputs) bad(last, `is ${outputs}, but data.classes names ${data.classes!.length} classes`);
  } else {
    if (outputs !== 1) bad(last, `is ${outputs}, but a regression model has 1 output`);
    if (!pre.target) bad('preprocessing.target', 'missing: a regression model needs its target scaling');
  }
  for (const key of ['shift', 'scale'] as const) {
    if (pre.features[key].length !== net.inputs) {
      bad(`preprocessing.features.${key}`, `has ${pre.features[key].length} values, expected ${net.inputs} (one per feature)`);
    }
    if (pre.target && pre.target[key].length !== 1) bad(`preprocessing.target.${key}`, 'expected 1 value');
  }
  const bigRow = training.testRows.findIndex((r) => r >= data.rows);
  if (bigRow >= 0) bad(`training.testRows[${bigRow}]`, `is ${training.testRows[bigRow]}, but the data has ${data.rows} rows`);
}

/** The model file as text: JSON, one field per line, arrays of numbers kept on one line. */
export function modelFileToText(file: ModelFile): string {
  // Never write a file that would not load back; write the fields in the schema's order.
  const checked = parseModelFile(JSON.stringify(file), 'the model being saved');
  const text = JSON.stringify(checked, null, 2).replace(/\[\s+([-+.\deE,\s]+?)\s+\]/g, (_, inner: string) => `[${inner.replace(/\s+/g, ' ')}]`);
  return text + '\n';
}

/** The network stored in a model file, ready to predict. */
export function networkFromModelFile(file: ModelFile, source = 'model file'): Network {
  try {
    return Network.fromJSON(file.network);
  } catch (err) {
    if (err instanceof BackpropError) throw new BackpropError('model', `${source} is damaged or was edited: field network: ${err.message}`);
    throw err;
  }
}
