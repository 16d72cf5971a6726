import { BackpropError } from '../../src/errors.js';
import type { Scaler } from '../../src/data/preprocess.js';
import { Model } from '../../src/io/model.js';
import type { ModelHistory } from '../../src/io/model-file.js';
import { finiteCurves, resolveSettings, trainedModelFile, type TrainModelOptions, type TrainSettings } from '../../src/io/train-model.js';
import { TRAIN_DEFAULTS } from '../../src/io/train-settings.js';
import { checkNetworkSize, formatBytes } from '../../src/nn/limits.js';
import { Network } from '../../src/nn/network.js';
import { BlockTrainer } from '../../src/train/block-trainer.js';
import { DivergedError } from '../../src/train/fit-options.js';
import { RUNTIME_BYTES } from '../memory.js';
import type { EpochProgress } from '../progress.js';
import type { TrainedParts } from '../train-runner.js';
import { CacheBlocks } from './cache-blocks.js';
import { statsFrom, type CacheMeta } from './cache-file.js';
import { checkResumable, TRAIN_CHECKPOINT_FORMAT, TRAIN_CHECKPOINT_VERSION, type CheckpointOrigin, type SettingNames, type TrainCheckpoint } from '../../src/io/train-checkpoint.js';
import { cacheFolder, openOrBuildCache, type CacheFolder } from './build-cache.js';
import type { WriteFn } from './cache-file.js';

/**
 * `backprop train` on data larger than its memory budget: the CSV file is read once into a
 * binary cache (cli/cache/cache-file.ts), and training reads it back a group of blocks at a time
 * (src/train/block-trainer.ts), as many blocks per group as the budget holds.
 */

/** How a cached run uses its memory, for the run's description and --json. */
export interface CacheMemory {
  mode: 'disk-cache';
  cache: string;
  kept: boolean;
  reused: boolean;
  blockRows: number;
  blocks: number;
  blocksPerGroup: number;
  groups: number;
}

export interface CachedRun {
  /** The data as the description shows it (no rows in memory). */
  meta: CacheMeta;
  settings: TrainSettings;
  memory: CacheMemory;
  /** Undefined when the run was stopped (with a checkpoint). */
  parts: TrainedParts | undefined;
}

export interface CachedRunInput {
  path: string;
  source: string;
  options: TrainModelOptions & { delimiter?: string };
  budget: number;
  cacheDir?: string;
  /** Told the settings, before the first epoch: prints the run's description. */
  onStart(run: Omit<CachedRun, 'parts'>): void;
  onEpoch(p: EpochProgress): void;
  note(message: string): void;
  /** The file system's write (tests simulate a full disk). */
  write?: WriteFn;
  /** Save checkpoints (every `everyEpochs` epochs, and when stopped). */
  checkpoint?: { everyEpochs: number; origin: CheckpointOrigin; save(c: TrainCheckpoint): void };
  /** Continue the run of this checkpoint (one made by a cached run). */
  resume?: TrainCheckpoint;
  settingNames?: SettingNames;
  /** Asked after each group: true stops the run there, with a checkpoint. */
  shouldStop?: () => boolean;
  onCheckpoint?: (at: { epoch: number; group: number }) => void;
}

/** Bytes a training row takes while its group is loaded: X and Y, the engine's copy of both, the row order. */
function bytesPerRow(features: number, outputs: number): number {
  return 2 * (features + outputs) * 8 + 8;
}

/** The forward pass of the evaluation: a block of its rows and their layers' values (engine/forward.ts: 4M values). */
const FORWARD_BYTES = 32 * 2 ** 20;

/** Blocks per group: a third of the budget left after the runtime and the evaluation's forward pass (the rest for the evaluation's store of rows, the reader and the engines' memory). */
export function blocksPerGroup(budget: number, meta: Pick<CacheMeta, 'blockRows' | 'features' | 'rows' | 'testSplit'>, outputs: number): number {
  const free = Math.max(0, budget - RUNTIME_BYTES - FORWARD_BYTES) / 3;
  const perBlock = meta.blockRows * (1 - meta.testSplit) * bytesPerRow(meta.features, outputs);
  const blocks = Math.ceil(meta.rows / meta.blockRows);
  return Math.min(blocks, Math.max(1, Math.floor(free / perBlock)));
}

/** The options the cached path does not take, refused with what to do instead. */
function refuseUnsupported(o: TrainModelOptions): void {
  const instead = 'raise --max-memory so that the data is trained in memory';
  if (o.batchSize === 'full') throw new BackpropError('option', `--batch full needs every training row in memory, but the data is read from a cache on disk: give a batch size, or ${instead}`);
  if (o.validationSplit !== undefined || o.earlyStop !== undefined) {
    throw new BackpropError('option', `${o.earlyStop !== undefined ? '--early-stop' : '--validation-split'} is not available when the data is read from a cache on disk: ${instead}`);
  }
}

export async function trainCached(input: CachedRunInput): Promise<CachedRun> {
  const o = input.options;
  refuseUnsupported(o);
  const seed = o.seed ?? TRAIN_DEFAULTS.seed;
  const testSplit = o.testSplit ?? TRAIN_DEFAULTS.testSplit;
  const folder = cacheFolder(input.cacheDir);
  try {
    return await run(input, folder, seed, testSplit);
  } finally {
    folder.dispose();
  }
}

async function run(input: CachedRunInput, folder: CacheFolder, seed: number, testSplit: number): Promise<CachedRun> {
  const { options: o, note } = input;
  const opened = await openOrBuildCache(
    input.path,
    input.source,
    folder,
    { target: o.target, task: o.task ?? 'auto', delimiter: o.delimiter, seed, testSplit },
    note,
    input.write,
  );
  const { reader } = opened;
  try {
    const meta = reader.meta;
    const settings = { ...resolveSettings({ schema: meta.schema, X: { rows: meta.rows, cols: meta.features } }, { ...o, seed, testSplit }), stratify: false };
    const outputs = meta.schema.kind === 'classification' ? meta.schema.classes!.length : 1;
    checkNetworkSize(meta.features, [...settings.layers, outputs].map((units) => ({ units })), true, 'float64');
    const features = statsFrom(meta.stats).scaler(settings.scale, meta.schema.features);
    const target = meta.targetStats ? statsFrom(meta.targetStats).scaler(settings.outputActivation === 'sigmoid' ? 'minmax' : 'standard', [meta.schema.target]) : undefined;
    const r = input.resume;
    if (r) checkResumable(r, { source: meta.source, rows: meta.rows, fingerprint: meta.fingerprint }, settings, input.settingNames);
    if (r && (!r.blocks || r.blocks.blockRows !== meta.blockRows)) throw new BackpropError('checkpoint', 'the checkpoint was not made by a run on data read from a disk cache of these blocks: resume it with the data in memory');
    const perGroup = r ? r.blocks!.blocksPerGroup : blocksPerGroup(input.budget, meta, outputs);
    // a group's training starts with the rows the group before left past its last whole batch: fewer than a batch
    const blocks = new CacheBlocks(reader, features, target, { blocksPerGroup: perGroup, lead: (settings.batchSize as number) - 1 });
    const memory: CacheMemory = {
      mode: 'disk-cache',
      cache: reader.path,
      kept: folder.kept,
      reused: opened.reused,
      blockRows: meta.blockRows,
      blocks: blocks.blocks,
      blocksPerGroup: perGroup,
      groups: Math.ceil(blocks.blocks / perGroup),
    };
    input.onStart({ meta, settings, memory });
    const parts = await trainOnBlocks(input, meta, settings, blocks, perGroup, features, target);
    return { meta, settings, memory, parts };
  } finally {
    reader.close();
  }
}

/** What the epochs of a cached run work with. */
interface Loop {
  input: CachedRunInput;
  meta: CacheMeta;
  s: TrainSettings;
  blocks: CacheBlocks;
  perGroup: number;
  network: Network;
  trainer: BlockTrainer;
  history: ModelHistory;
  testLoss: number[];
}

async function trainOnBlocks(input: CachedRunInput, meta: CacheMeta, s: TrainSettings, blocks: CacheBlocks, perGroup: number, features: Scaler, target: Scaler | undefined): Promise<TrainedParts | undefined> {
  const outputs = meta.schema.kind === 'classification' ? meta.schema.classes!.length : 1;
  const network = new Network({
    inputs: meta.features,
    layers: [...s.layers.map((units) => ({ units, activation: s.activation })), { units: outputs, activation: s.outputActivation }],
    loss: s.loss,
    seed: s.seed,
  });
  const trainer = new BlockTrainer(network, blocks, {
    batchSize: s.batchSize as number,
    learningRate: s.learningRate,
    optimizer: s.optimizer,
    seed: s.seed,
    blocksPerGroup: perGroup,
    ...(s.l1 ? { l1: s.l1 } : {}),
    ...(s.l2 ? { l2: s.l2 } : {}),
    pause,
  });
  const classify = meta.schema.kind === 'classification';
  const r = input.resume;
  const history: ModelHistory = r
    ? { ...r.fit.history, loss: [...r.fit.history.loss], learningRate: [...r.fit.history.learningRate], ...(classify ? { accuracy: [...(r.fit.history.accuracy ?? [])] } : {}), stopReason: 'epochs' }
    : { loss: [], ...(classify ? { accuracy: [] } : {}), learningRate: [], epochs: 0, stopReason: 'epochs', seconds: 0 };
  if (r) trainer.restore({ epoch: r.fit.epoch, group: r.blocks!.group, total: r.fit.total, hits: r.fit.hits, rows: r.blocks!.rows, params: r.fit.params, optimizer: r.fit.optimizer, rng: r.fit.rng, ...(r.blocks!.carry ? { carry: r.blocks!.carry } : {}) });
  const loop: Loop = { input, meta, s, blocks, perGroup, network, trainer, history, testLoss: r ? r.testLoss.slice(0, history.epochs) : [] };
  const started = performance.now();
  const before = history.seconds;
  try {
    if ((await trainEpochs(loop, () => (history.seconds = before + (performance.now() - started) / 1000))) === 'stopped') return undefined;
  } catch (err) {
    if (err instanceof DivergedError) throw new BackpropError('diverged', err.message);
    throw err;
  }
  return finishCached(loop, features, target);
}

/** Between two groups: signals heard. (The groups' rows are read into the same arrays each time, and the network's one WebAssembly engine lays each group out in the same memory.) */
function pause(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The epochs, with checkpoints every `everyEpochs` and when asked to stop (after a group). */
async function trainEpochs(l: Loop, clock: () => void): Promise<'done' | 'stopped'> {
  const { input, s, trainer, history, testLoss, meta, blocks, network } = l;
  const stop = () => input.shouldStop?.() ?? false;
  const classify = meta.schema.kind === 'classification';
  while (trainer.epoch <= s.epochs) {
    const info = await trainer.runEpoch(stop);
    clock();
    if (!info) return saveCached(l), 'stopped';
    history.loss.push(info.loss);
    if (classify) history.accuracy!.push(info.accuracy!);
    history.learningRate!.push(info.learningRate);
    history.epochs = info.epoch;
    const more = trainer.epoch <= s.epochs;
    // the last epoch's test loss is the test evaluation's, measured at the end
    const tl = meta.testRows > 0 && more ? blocks.loss(network, true) : undefined;
    if (tl !== undefined) testLoss.push(tl);
    input.onEpoch({ epoch: info.epoch, loss: info.loss, ...(classify ? { accuracy: info.accuracy } : {}), ...(tl !== undefined ? { testLoss: tl } : {}) });
    if (!more) break;
    await pause();
    if (stop()) return saveCached(l), 'stopped';
    if (input.checkpoint && info.epoch % input.checkpoint.everyEpochs === 0) saveCached(l);
  }
  return 'done';
}

/** A checkpoint of the run where it stands (between groups). */
function saveCached(l: Loop): void {
  const cp = l.input.checkpoint;
  if (!cp) return;
  const st = l.trainer.state();
  const c: TrainCheckpoint = {
    format: TRAIN_CHECKPOINT_FORMAT,
    version: TRAIN_CHECKPOINT_VERSION,
    data: { source: l.meta.source, rows: l.meta.rows, fingerprint: l.meta.fingerprint },
    settings: l.s,
    testLoss: l.testLoss.slice(0, l.history.epochs),
    fit: { kind: 'backprop-checkpoint', epoch: st.epoch, batch: st.group, order: [], total: st.total, hits: st.hits, params: st.params, optimizer: st.optimizer, rng: st.rng, history: finiteCurves(l.history) as TrainCheckpoint['fit']['history'] },
    origin: cp.origin,
    blocks: { group: st.group, rows: st.rows, blocksPerGroup: l.perGroup, blockRows: l.meta.blockRows, ...(st.carry ? { carry: st.carry } : {}) },
  };
  cp.save(c);
  l.input.onCheckpoint?.({ epoch: st.epoch, group: st.group });
}

/** The model file, and the model measured on both parts, group by group. */
function finishCached(l: Loop, features: Scaler, target: Scaler | undefined): TrainedParts {
  const { meta, s, network, blocks, testLoss } = l;
  const classify = meta.schema.kind === 'classification';
  const finished = finiteCurves(l.history);
  const table = { source: meta.source, rows: meta.rows, fingerprint: meta.fingerprint };
  const file = trainedModelFile({ table, schema: meta.schema, s, network, features, target, history: finished, hashedSplit: true });
  const model = new Model(file, network);
  const train = blocks.evaluate(model, false)!;
  const test = meta.testRows > 0 ? blocks.evaluate(model, true) : undefined;
  if (test) {
    testLoss.push(test.loss);
    file.training.history = finiteCurves({ ...finished, testLoss });
  }
  const figure = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null);
  const metrics: Record<string, number | null> = {
    trainLoss: figure(train.loss),
    testLoss: test ? figure(test.loss) : null,
    ...(classify
      ? { trainAccuracy: figure(train.accuracy), testAccuracy: test ? figure(test.accuracy) : null }
      : { trainRmse: figure(train.rmse), testRmse: test ? figure(test.rmse) : null, testMae: test ? figure(test.mae) : null }),
    epochs: finished.epochs,
    seconds: finished.seconds,
  };
  file.training.metrics = metrics;
  const split = { train: new Int32Array(0), test: new Int32Array(0) };
  return { split, history: file.training.history, train, ...(test ? { test } : {}), metrics, modelText: model.toText() };
}

/** "1,000,000 rows: 800,123 training rows, 199,877 test rows", and where they are read from. */
export function describeCached(run: Omit<CachedRun, 'parts'>, budget: { bytes: number; from: string }, needed: number): string[] {
  const { meta, memory: m, settings } = run;
  const scaled = settings.scale === 'none' ? 'features not scaled' : `features scaled (${settings.scale}) on the training rows, statistics gathered while reading`;
  return [
    `memory: budget ${formatBytes(budget.bytes)} (${budget.from}); the data would need about ${formatBytes(needed)} in memory, so it is read from a cache on disk`,
    `data cache: ${m.cache} (${m.reused ? 'made by an earlier run' : 'made now'}; ${m.kept ? 'kept for the next run' : 'removed at the end'}): ` +
      `${m.blocks} blocks of ${m.blockRows} rows, trained ${m.blocksPerGroup} ${m.blocksPerGroup === 1 ? 'block' : 'blocks'} at a time (${m.groups} ${m.groups === 1 ? 'group' : 'groups'} per epoch)`,
    `${meta.trainRows} training rows, ${meta.testRows} test rows (at random by a seeded hash of the row number, not stratified); ${scaled}`,
    `each epoch: the blocks in a seeded random order, the rows shuffled within each group of blocks (not across the whole data; a group's rows past its last whole batch start the next group)`,
  ];
}
