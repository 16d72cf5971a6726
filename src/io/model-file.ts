import * as v from 'valibot';
import { BackpropError } from '../errors.js';
import { ACTIVATION_NAMES } from '../nn/activations.js';
import { LOSS_NAMES } from '../nn/losses.js';
import { Network } from '../nn/network.js';
import { OPTIMIZER_NAMES } from '../train/optimizers.js';
import { SCALING_NAMES } from '../data/preprocess.js';
import { sectionChecksums, verifyChecksums } from './checksum.js';
import { array, batchSize, boolean, check, checksums, literal, number, object, picklist, record, string } from './schema.js';

/**
 * The model file: versioned JSON holding everything needed to use a trained network on new
 * data (architecture and weights, the columns and classes, the fitted scaling) and how it was
 * trained (loss, optimizer, seed, split, history, figures). Text in, text out: the same
 * functions load it in Node and in a browser; reading and writing files is the caller's part.
 */
export const MODEL_FORMAT = 'backprop-model';
/** The format version this code writes, and the newest it reads. */
export const MODEL_VERSION = 1;

const finite = number();
const count = number({ int: true, min: 0 });
const positiveInt = number({ int: true, above: 0 });
const numbers = array(finite);

const scalerSchema = object({
  kind: picklist(SCALING_NAMES),
  shift: numbers,
  scale: array(number({ above: 0 })),
});

const layerSchema = object({
  units: positiveInt,
  activation: picklist(ACTIVATION_NAMES),
  bias: boolean,
  weights: array(numbers),
  biases: v.optional(numbers),
});

const historySchema = object({
  loss: numbers,
  accuracy: v.optional(numbers),
  valLoss: v.optional(numbers),
  valAccuracy: v.optional(numbers),
  /** The test part's loss after each epoch (watched only: it never steers training). */
  testLoss: v.optional(numbers),
  learningRate: v.optional(numbers),
  epochs: count,
  stopReason: string,
  bestEpoch: v.optional(count),
  seconds: number({ min: 0 }),
});

const modelFileSchema = object({
  format: literal(MODEL_FORMAT),
  version: literal(MODEL_VERSION),
  network: object({
    inputs: positiveInt,
    loss: picklist(LOSS_NAMES),
    seed: v.optional(number({ int: true })),
    layers: v.pipe(array(layerSchema), v.minLength(1, 'at least 1 layer')),
  }),
  data: object({
    /** Where the training data came from (a file name or a bundled dataset's name). */
    source: string,
    /**
     * Data rows in the training file, and a fingerprint of its text, to recognise it again
     * (0 rows for a model imported from elsewhere, whose training data is unknown).
     */
    rows: count,
    fingerprint: string,
    features: v.pipe(array(string), v.minLength(1, 'at least 1 column')),
    target: string,
    kind: picklist(['classification', 'regression']),
    classes: v.optional(v.pipe(array(string), v.minLength(2, 'at least 2 classes'))),
  }),
  preprocessing: object({
    features: scalerSchema,
    /** For a regression: the targets' scaling, undone on the predictions. */
    target: v.optional(scalerSchema),
  }),
  training: object({
    optimizer: picklist(OPTIMIZER_NAMES),
    learningRate: number({ above: 0 }),
    batchSize,
    epochs: positiveInt,
    seed: number({ int: true }),
    testSplit: number({ min: 0, below: 1 }),
    stratified: boolean,
    validationSplit: v.optional(number({ above: 0, below: 1 })),
    earlyStop: v.optional(positiveInt),
    /** L1 and L2 regularisation (src/nn/penalty.ts): written only when not 0; a file without them trained with none. */
    l1: v.optional(number({ min: 0 })),
    l2: v.optional(number({ min: 0 })),
    /**
     * Row indices (0-based, among the data rows) of the test part. Left out for big data: the
     * split is then derived again from the seed, the test fraction and the rows' classes.
     */
    testRows: v.optional(array(count)),
    /**
     * 'hashed': the test rows were chosen row by row from the seed and the row's index (data
     * trained from the disk cache; src/data/hashed-split.ts), not by splitRows.
     */
    split: v.optional(picklist(['hashed'] as const)),
    history: historySchema,
    /** Final figures: trainLoss, testLoss, testAccuracy, …; null where there is no test part. */
    metrics: record(v.nullable(finite)),
  }),
  /** The SHA-256 checksum of each section (see checksum.ts): an edit is named on loading. */
  checksum: checksums,
});

export type ModelFile = v.InferOutput<typeof modelFileSchema>;
export type ModelHistory = ModelFile['training']['history'];

export interface ParseOptions {
  /** Told when the file carries no checksum, so that an edit cannot be detected (it loads as it is). */
  onUnverified?: (message: string) => void;
}

/**
 * Reads a model file's text; throws a BackpropError naming `source` and the field that is wrong,
 * or the sections changed since it was saved (by its checksum).
 */
export function parseModelFile(text: string, source = 'model file', options: ParseOptions = {}): ModelFile {
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
  const checked = check(modelFileSchema, raw);
  if (!checked.ok) throw new BackpropError('model', `${source} is damaged or was edited: ${checked.problems}`);
  checkConsistency(checked.value, source);
  networkFromModelFile(checked.value, source);
  // last: a field that is wrong in itself is named above, whatever the checksum says
  const advice = 'restore the file, or save the model again from its training run';
  verifyChecksums(checked.value, checked.value.checksum, { source, code: 'model', advice, onUnverified: options.onUnverified });
  return checked.value;
}

/** The checks beyond single fields: the shapes must agree with each other. */
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
  const bigRow = training.testRows?.findIndex((r) => r >= data.rows) ?? -1;
  if (bigRow >= 0) bad(`training.testRows[${bigRow}]`, `is ${training.testRows![bigRow]}, but the data has ${data.rows} rows`);
}

/** The model file as text: JSON, one field per line, arrays of numbers kept on one line. */
export function modelFileToText(file: ModelFile): string {
  // Never write a file that would not load back; write the fields in the schema's order.
  const { checksum: _, ...body } = parseModelFile(JSON.stringify({ ...file, checksum: undefined }), 'the model being saved');
  const text = JSON.stringify({ ...body, checksum: sectionChecksums(body) }, null, 2).replace(/\[\s+([-+.\deE,\s]+?)\s+\]/g, (_, inner: string) => `[${inner.replace(/\s+/g, ' ')}]`);
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
