import * as v from 'valibot';
import { BackpropError } from '../errors.js';
import type { CsvTable } from '../data/csv.js';
import { SCALING_NAMES } from '../data/preprocess.js';
import type { Checkpoint } from '../train/checkpoint.js';
import { OPTIMIZER_NAMES } from '../train/optimizers.js';
import { sectionChecksums, verifyChecksums, type Checksums } from './checksum.js';
import { array, batchSize, boolean, check, checksums, literal, number, object, picklist, string } from './schema.js';
import { tableIdentity, type DataIdentity } from './model.js';
import type { TrainSettings } from './train-settings.js';

/**
 * A checkpoint of a trainModel run: fit's checkpoint (weights, optimizer and generator state,
 * position in the epoch, history) plus what is needed to rebuild the same run — the settings
 * with every default filled in, and the data's row count and fingerprint, so that resuming
 * refuses other data or other settings — and the test losses recorded so far. Plain JSON.
 */
export interface TrainCheckpoint {
  format: typeof TRAIN_CHECKPOINT_FORMAT;
  version: typeof TRAIN_CHECKPOINT_VERSION;
  data: { source: string; rows: number; fingerprint: string };
  settings: TrainSettings;
  /** The test part's loss after each completed epoch. */
  testLoss: number[];
  fit: Checkpoint;
  /**
   * How the run was started, for a program to start it again (the command line keeps the data
   * file, the output files and the checkpoint interval here).
   */
  origin?: CheckpointOrigin;
  /**
   * For a run on data read from a disk cache (data larger than memory): where it stands in the
   * epoch's groups of blocks (`fit.batch` is then the group, `fit.order` empty), and how the blocks
   * were grouped, which the resumed run keeps.
   */
  blocks?: { group: number; rows: number; blocksPerGroup: number; blockRows: number; carry?: { rows: number; X: number[]; Y: number[] } };
  /** The SHA-256 checksum of each section and of each field of `fit` (see checksum.ts). */
  checksum?: Checksums;
}

export interface CheckpointOrigin {
  /** Where the data is read from: a file's absolute path, or a bundled data set's name. */
  data?: string;
  delimiter?: string;
  /** Where the trained model and the loss chart go. */
  out?: string;
  plot?: string;
  everyEpochs?: number;
  everyBatches?: number;
  /** The --cache folder of a run on data larger than memory, and its --max-memory. */
  cache?: string;
  maxMemory?: string;
}

export const TRAIN_CHECKPOINT_FORMAT = 'backprop-train-checkpoint';
export const TRAIN_CHECKPOINT_VERSION = 1;

const finite = number();
const count = number({ int: true, min: 0 });
const positiveInt = number({ int: true, above: 0 });
const numbers = array(finite);

const settingsSchema = object({
  target: string,
  kind: picklist(['classification', 'regression']),
  layers: array(positiveInt),
  activation: string,
  outputActivation: string,
  loss: string,
  optimizer: picklist(OPTIMIZER_NAMES),
  learningRate: number({ above: 0 }),
  batchSize,
  epochs: positiveInt,
  seed: number({ int: true }),
  testSplit: number({ min: 0, below: 1 }),
  stratify: boolean,
  validationSplit: v.optional(number({ above: 0, below: 1 })),
  earlyStop: v.optional(positiveInt),
  scale: picklist(SCALING_NAMES),
  l1: v.optional(number({ above: 0 })),
  l2: v.optional(number({ above: 0 })),
});

const historySchema = object({
  loss: numbers,
  accuracy: v.optional(numbers),
  valLoss: v.optional(numbers),
  valAccuracy: v.optional(numbers),
  learningRate: numbers,
  epochs: count,
  stopReason: picklist(['epochs', 'threshold', 'early-stopping', 'callback', 'interrupted']),
  bestEpoch: v.optional(count),
  seconds: number({ min: 0 }),
});

const fitSchema = object({
  kind: literal('backprop-checkpoint'),
  epoch: positiveInt,
  batch: count,
  order: array(count),
  total: finite,
  hits: count,
  validationRows: v.optional(array(count)),
  params: array(numbers),
  optimizer: object({ name: picklist(OPTIMIZER_NAMES), t: count, slots: array(array(numbers)) }),
  rng: v.pipe(array(number({ int: true, min: -0x80000000, max: 0xffffffff })), v.length(4, '4 numbers')),
  history: historySchema,
  early: v.optional(
    object({
      // JSON writes an infinite best loss (none yet) as null
      best: v.nullable(finite),
      bestEpoch: count,
      sinceBest: count,
      bestParams: v.optional(array(numbers)),
    }),
  ),
});

const checkpointSchema = object({
  format: literal(TRAIN_CHECKPOINT_FORMAT),
  version: literal(TRAIN_CHECKPOINT_VERSION),
  data: object({ source: string, rows: positiveInt, fingerprint: string }),
  settings: settingsSchema,
  testLoss: numbers,
  fit: fitSchema,
  origin: v.optional(
    object({
      data: v.optional(string),
      delimiter: v.optional(v.pipe(string, v.length(1, '1 character'))),
      out: v.optional(string),
      plot: v.optional(string),
      everyEpochs: v.optional(positiveInt),
      everyBatches: v.optional(positiveInt),
      cache: v.optional(string),
      maxMemory: v.optional(string),
    }),
  ),
  blocks: v.optional(
    object({ group: count, rows: count, blocksPerGroup: positiveInt, blockRows: positiveInt, carry: v.optional(object({ rows: positiveInt, X: numbers, Y: numbers })) }),
  ),
  checksum: checksums,
});

/** The sections whose fields are checksummed one by one, so that an edit names the field. */
const NESTED = ['fit'] as const;

/**
 * A checkpoint as text (one line of JSON), with the checksums of its sections, of the checkpoint
 * as parseTrainCheckpoint reads it back (the fields of the format, in its order). One that would
 * not read back (a diverging run's test losses are not numbers) carries none: it is refused anyway.
 */
export function trainCheckpointToText(c: TrainCheckpoint): string {
  const { checksum: _, ...body } = c;
  const text = JSON.stringify(body);
  const checked = check(checkpointSchema, JSON.parse(text));
  if (!checked.ok) return text + '\n';
  return `${text.slice(0, -1)},"checksum":${JSON.stringify(sectionChecksums(checked.value, NESTED))}}\n`;
}

/**
 * Reads a checkpoint's text; throws a BackpropError naming `source` and the field that is wrong,
 * or the fields changed since it was saved (by its checksum). `onUnverified` is told when it
 * carries no checksum (it is read as it is).
 */
export function parseTrainCheckpoint(text: string, source = 'checkpoint', options: { onUnverified?: (message: string) => void } = {}): TrainCheckpoint {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new BackpropError('checkpoint', `${source} is not valid JSON (truncated or damaged?): ${(err as Error).message.replace(/\s+/g, ' ')}`);
  }
  const format = (raw as { format?: unknown } | null)?.format;
  if (format !== TRAIN_CHECKPOINT_FORMAT) {
    throw new BackpropError('checkpoint', `${source} is not a backprop training checkpoint: field format is ${JSON.stringify(format)}, expected "${TRAIN_CHECKPOINT_FORMAT}"`);
  }
  const checked = check(checkpointSchema, raw);
  if (!checked.ok) throw new BackpropError('checkpoint', `${source} is damaged or was edited: ${checked.problems}`);
  const { epoch, history } = checked.value.fit;
  if (epoch !== history.epochs + 1) {
    const should = `fit.history counts ${history.epochs} finished ${history.epochs === 1 ? 'epoch' : 'epochs'}, so it should be ${history.epochs + 1}`;
    throw new BackpropError('checkpoint', `${source} is damaged or was edited: field fit.epoch is ${epoch}, but ${should}`);
  }
  const advice = 'a run resumed from it would not be the run it continues; restore the file, or start the run again';
  verifyChecksums(checked.value, checked.value.checksum, { source, code: 'checkpoint', nested: NESTED, advice, onUnverified: options.onUnverified });
  const c = checked.value as TrainCheckpoint;
  if (c.fit.early?.best === null) c.fit.early.best = Infinity;
  return c;
}

/** What each setting is called in messages (the command line passes its flags' names instead). */
export type SettingNames = Partial<Record<keyof TrainSettings, string>>;

/** The settings, other than epochs, in which `a` and `b` differ. */
export function settingsDifferences(a: TrainSettings, b: TrainSettings): (keyof TrainSettings)[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof TrainSettings)[]);
  return [...keys].filter((k) => k !== 'epochs' && JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

/** Describes a setting's value the way a person would write it. */
export function settingText(s: TrainSettings, k: keyof TrainSettings): string {
  const v = s[k];
  if (v === undefined) return 'not set';
  if (k === 'layers') return (v as number[]).length ? (v as number[]).join(',') : 'none';
  return String(v);
}

/**
 * Checks that a run may continue from `c`: the same data (rows and fingerprint), the same
 * settings apart from the number of epochs, which must not be fewer than those already begun.
 */
export function checkResumable(c: TrainCheckpoint, data: CsvTable | DataIdentity, settings: TrainSettings, names: SettingNames = {}): void {
  const table = 'header' in data ? tableIdentity(data) : data;
  const { fingerprint } = table;
  if (table.rows !== c.data.rows || fingerprint !== c.data.fingerprint) {
    throw new BackpropError(
      'checkpoint',
      `${table.source} is not the data the checkpoint was made with (${c.data.source}: ${c.data.rows} rows, fingerprint ${c.data.fingerprint}; ` +
        `this data: ${table.rows} rows, fingerprint ${fingerprint}): resume with the same data`,
    );
  }
  const diff = settingsDifferences(c.settings, settings);
  if (diff.length > 0) {
    const list = diff.map((k) => `${names[k] ?? k} ${settingText(settings, k)} (the checkpoint's: ${settingText(c.settings, k)})`);
    throw new BackpropError(
      'checkpoint',
      `the checkpoint was made with other settings: ${list.join('; ')}. A resumed run keeps the settings it started with, so that it ends ` +
        `as the uninterrupted run would; only ${names.epochs ?? 'epochs'} may change`,
    );
  }
  // An epoch in progress must be finished, or the weights would stop halfway through it.
  const { epoch, batch, history } = c.fit;
  if (settings.epochs < (batch > 0 ? epoch : epoch - 1)) {
    const part = batch > 0 ? ` and part of epoch ${epoch}` : '';
    throw new BackpropError(
      'checkpoint',
      `the checkpoint has already trained ${history.epochs} ${history.epochs === 1 ? 'epoch' : 'epochs'}${part}: ${names.epochs ?? 'epochs'} ${settings.epochs} is fewer`,
    );
  }
}

/**
 * Checks the parts of a checkpoint that must fit the training rows (fit checks the network's
 * shape and the optimizer): the row order is a permutation of the `rows` training rows, the
 * held-out rows (there when `validation`) one of all `allRows`, the position inside an epoch of `batches` batches, and
 * each optimizer slot and kept best weight the size of its parameter.
 */
export function checkCheckpointShape(c: Checkpoint, shape: { rows: number; allRows: number; batches: number; paramSizes: number[]; validation: boolean }): void {
  const { rows, allRows, batches, paramSizes, validation } = shape;
  const bad = (what: string): never => {
    throw new BackpropError('checkpoint', `the checkpoint does not fit this run: ${what}`);
  };
  const isPermutation = (a: readonly number[], n: number) => {
    if (a.length !== n) return false;
    const seen = new Uint8Array(n);
    for (const i of a) {
      if (!(i >= 0 && i < n) || seen[i]) return false;
      seen[i] = 1;
    }
    return true;
  };
  if (!isPermutation(c.order, rows)) bad(`its row order is not an order of the ${rows} training rows`);
  if (validation !== (c.validationRows !== undefined)) bad(validation ? 'it does not say which rows it held out for validation' : 'it holds out validation rows, but this run does not');
  if (c.validationRows && !isPermutation(c.validationRows, allRows)) bad(`its validation rows are not among the ${allRows} rows`);
  if (c.batch >= batches) bad(`batch ${c.batch} is past the end of the epoch`);
  const slots = c.optimizer.slots;
  if (slots.length > 0 && (slots.length !== paramSizes.length || slots.some((ps, i) => ps.some((s) => s.length !== paramSizes[i])))) {
    bad(`the ${c.optimizer.name} optimizer's state does not match the network's parameters`);
  }
  const best = c.early?.bestParams;
  if (best && (best.length !== paramSizes.length || best.some((p, i) => p.length !== paramSizes[i]))) bad('its best weights do not match the network');
}
