import { resolve } from 'node:path';
import type { Dataset } from '../../src/data/dataset.js';
import { BackpropError } from '../../src/errors.js';
import type { TrainModelOptions, TrainSettings } from '../../src/io/train-model.js';
import { formatBytes } from '../../src/nn/limits.js';
import { Matrix } from '../../src/tensor/matrix.js';
import { dirname } from 'node:path';
import type { CheckpointOrigin, SettingNames } from '../../src/io/train-checkpoint.js';
import { checkpointFile, prepareCheckpointDir, saveCheckpoint, type ResumedCheckpoint } from '../checkpoint-files.js';
import { checkDistinctOutputs, checkWritable, dataFile } from '../files.js';
import { wholeNumber } from '../options.js';
import { BLOCK_ROWS, onCacheSignal } from './build-cache.js';
import { applyMemoryLimit, dataBudget, estimateInMemory, type DataEstimate } from '../memory.js';
import { createProgress } from '../progress.js';
import type { TrainedParts } from '../train-runner.js';
import type { WriteFn } from './cache-file.js';
import { describeCached, trainCached } from './train-cached.js';

/**
 * Where `backprop train` decides between memory and a cache on disk, and runs the cached path
 * with the command's own description and report (given as functions, so that no import cycle
 * forms with cli/commands/train.ts).
 */

/** The run's memory, for its description and --json. */
export interface MemoryChoice {
  budget: { bytes: number; from: string };
  estimate: DataEstimate;
  mode: 'memory' | 'disk-cache';
}

/** Memory or disk for a data argument (bundled sets and missing files: memory, the in-memory path reports them). */
export function chooseMode(data: string | undefined, maxMemory: string | undefined): MemoryChoice | undefined {
  const path = data === undefined ? undefined : dataFile(data);
  if (path === undefined) return undefined;
  const budget = dataBudget(maxMemory);
  const estimate = estimateInMemory(path);
  // a file of one block or less is read into memory whatever the budget: a cache would not make it smaller
  return { budget, estimate, mode: estimate.bytes > budget.bytes && estimate.rows > BLOCK_ROWS ? 'disk-cache' : 'memory' };
}

/** The line that says the budget and the mode (of a run in memory; `cache`: the --cache folder, unused). */
export function describeMemory(m: MemoryChoice, cache?: string): string {
  const small = m.estimate.bytes > m.budget.bytes ? `, over the budget, but it has no more than ${BLOCK_ROWS} rows (one block of a cache)` : '';
  const unused = cache !== undefined ? ` (--cache ${cache} is not used)` : '';
  return `memory: budget ${formatBytes(m.budget.bytes)} (${m.budget.from}); the data needs about ${formatBytes(m.estimate.bytes)} in memory${small}, so it is trained in memory${unused}`;
}

/** The memory as --json reports it. */
export function memoryJSON(m: MemoryChoice, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { budget: m.budget.bytes, budgetFrom: m.budget.from, estimate: m.estimate.bytes, estimatedRows: m.estimate.rows, mode: m.mode, ...extra };
}

/** What the command gives the cached path: its flags, parsed, and its own pieces of description and report. */
export interface CachedCommand {
  data: string | undefined;
  options: TrainModelOptions & { delimiter?: string };
  flags: { out?: string; plot?: string; checkpoint?: string; every?: string; everyBatches?: string; quiet?: boolean; json?: boolean; maxMemory?: string; cache?: string; resume?: string };
  choice?: MemoryChoice;
  /** The checkpoint a --resume continues. */
  resumed?: ResumedCheckpoint;
  settingNames: SettingNames;
  describeData(d: Dataset, rows: number): string;
  describeSettings(s: TrainSettings, inputs: number, outputs: number): string;
  checkOutput(s: TrainSettings, d: Dataset): void;
  report(p: ReportPlan, parts: TrainedParts): void;
  write?: WriteFn;
}

/** What the command's report needs. */
export interface ReportPlan {
  dataset: Dataset;
  settings: TrainSettings;
  out?: string;
  plot?: string;
  memory: Record<string, unknown>;
  checkpoint?: { path: string; dir: string };
  resumed?: ResumedCheckpoint;
}

/** The files of a cached run: from the flags, or for --resume from the checkpoint and the flags given. */
function files(c: CachedCommand) {
  const { flags, resumed } = c;
  const origin = resumed?.checkpoint.origin ?? {};
  if (flags.everyBatches !== undefined) throw new BackpropError('option', '--every-batches is not available when the data is read from a cache on disk: checkpoints are saved between groups of blocks, every --every N epochs');
  const data = c.data ?? origin.data;
  if (data === undefined) throw new BackpropError('option', `the checkpoint ${resumed!.path} does not say where its data is: give the data file as the first argument`);
  const dir = flags.checkpoint ?? (resumed ? dirname(resumed.path) : undefined);
  const every = flags.every !== undefined ? wholeNumber('--every', flags.every, 1) : (origin.everyEpochs ?? 1);
  const maxMemory = flags.maxMemory ?? origin.maxMemory;
  const cache = flags.cache ?? origin.cache;
  return { data, dir, every, maxMemory, cache, out: flags.out ?? origin.out, plot: flags.plot ?? origin.plot, delimiter: c.options.delimiter ?? origin.delimiter };
}

export async function trainCachedCommand(c: CachedCommand): Promise<void> {
  const { flags } = c;
  const f = files(c);
  if (f.maxMemory !== undefined) applyMemoryLimit(f.maxMemory);
  if (f.out) checkWritable(f.out, '--out');
  if (f.plot) checkWritable(f.plot, '--plot');
  const path = dataFile(f.data);
  if (path === undefined) throw new BackpropError('io', `cannot read data file '${f.data}': no such file`);
  const choice = c.choice ?? chooseMode(f.data, f.maxMemory)!;
  const ckptPath = f.dir !== undefined ? checkpointFile(f.dir) : undefined;
  checkDistinctOutputs([{ role: 'the data file', path }], [{ role: '--checkpoint', path: ckptPath }, { role: '--out', path: f.out }, { role: '--plot', path: f.plot }, { role: '--cache', path: f.cache }]);
  const checkpoint = f.dir !== undefined ? { path: prepareCheckpointDir(f.dir, c.resumed?.path), dir: f.dir } : undefined;
  const origin: CheckpointOrigin = {
    data: resolve(path),
    ...(f.delimiter ? { delimiter: f.delimiter } : {}),
    ...(f.out ? { out: resolve(f.out) } : {}),
    ...(f.plot ? { plot: resolve(f.plot) } : {}),
    everyEpochs: f.every,
    ...(f.cache ? { cache: resolve(f.cache) } : {}),
    ...(f.maxMemory ? { maxMemory: f.maxMemory } : {}),
  };
  const human = !flags.json;
  const out = (s: string) => human && process.stdout.write(s + '\n');
  let progress = createProgress(0, { quiet: true });
  let dataset: Dataset | undefined;
  let signal: NodeJS.Signals | undefined;
  let saved: { epoch: number; group: number } | undefined;
  if (checkpoint) {
    onCacheSignal((s) => {
      if (signal) return false;
      signal = s;
      process.stderr.write(`\nbackprop: ${s}: stopping after the current group of blocks, with a checkpoint (again to quit at once)\n`);
      return true;
    });
  }
  const run = await trainCached({
    path,
    source: c.resumed && c.data === undefined ? c.resumed.checkpoint.data.source : f.data,
    options: { ...c.options, ...(f.delimiter ? { delimiter: f.delimiter } : {}) },
    budget: choice.budget.bytes,
    ...(f.cache !== undefined ? { cacheDir: resolve(f.cache) } : {}),
    note: (m) => process.stderr.write(`backprop: ${m}\n`),
    onStart: (r) => {
      const outputs = r.meta.schema.kind === 'classification' ? r.meta.schema.classes!.length : 1;
      dataset = { source: r.meta.source, schema: r.meta.schema, X: new Matrix(0, r.meta.features), Y: new Matrix(0, outputs), fingerprint: r.meta.fingerprint };
      c.checkOutput(r.settings, dataset);
      out(c.describeData(dataset, r.meta.rows));
      out(c.describeSettings(r.settings, r.meta.features, outputs));
      for (const line of describeCached(r, choice.budget, choice.estimate.bytes)) out(line);
      if (c.resumed) out(`resuming from ${c.resumed.path}: epoch ${c.resumed.checkpoint.fit.epoch}, before group ${c.resumed.checkpoint.blocks!.group + 1}`);
      if (checkpoint) out(`checkpoints: every ${f.every === 1 ? 'epoch' : `${f.every} epochs`} to ${checkpoint.path} (Ctrl-C or SIGTERM stops after the current group of blocks, with a checkpoint)`);
      progress = createProgress(r.settings.epochs, { quiet: flags.quiet });
    },
    onEpoch: (p) => progress.epoch(p),
    ...(checkpoint ? { checkpoint: { everyEpochs: f.every, origin, save: (cp) => saveCheckpoint(checkpoint.path, cp) } } : {}),
    ...(c.resumed ? { resume: c.resumed.checkpoint } : {}),
    settingNames: c.settingNames,
    shouldStop: () => signal !== undefined,
    onCheckpoint: (at) => void (saved = at),
    ...(c.write ? { write: c.write } : {}),
  }).finally(() => {
    progress.done();
    onCacheSignal(undefined);
  });
  if (!run.parts) {
    const where = saved ? ` at epoch ${saved.epoch}, before group ${saved.group + 1}` : '';
    process.stderr.write(`backprop: stopped by ${signal}${where}, and saved a checkpoint to ${checkpoint!.path}: continue with \`backprop train --resume ${checkpoint!.dir}\`\n`);
    process.exitCode = 128 + (signal === 'SIGTERM' ? 15 : 2);
    return;
  }
  const { memory } = run;
  const json = memoryJSON(choice, { mode: 'disk-cache', cache: memory.kept ? memory.cache : null, blockRows: memory.blockRows, blocksPerGroup: memory.blocksPerGroup, groups: memory.groups, reused: memory.reused });
  c.report({ dataset: dataset!, settings: run.settings, out: f.out, plot: f.plot, memory: json, ...(checkpoint ? { checkpoint } : {}), ...(c.resumed ? { resumed: c.resumed } : {}) }, run.parts);
}
