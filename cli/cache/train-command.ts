import { resolve } from 'node:path';
import type { Dataset } from '../../src/data/dataset.js';
import { BackpropError } from '../../src/errors.js';
import type { TrainModelOptions, TrainSettings } from '../../src/io/train-model.js';
import { formatBytes } from '../../src/nn/limits.js';
import { Matrix } from '../../src/tensor/matrix.js';
import { checkDistinctOutputs, checkWritable, dataFile } from '../files.js';
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
  return { budget, estimate, mode: estimate.bytes > budget.bytes ? 'disk-cache' : 'memory' };
}

/** The line that says the budget and the mode. */
export function describeMemory(m: MemoryChoice): string {
  return `memory: budget ${formatBytes(m.budget.bytes)} (${m.budget.from}); the data needs about ${formatBytes(m.estimate.bytes)} in memory, so it is trained in memory`;
}

/** The memory as --json reports it. */
export function memoryJSON(m: MemoryChoice, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { budget: m.budget.bytes, budgetFrom: m.budget.from, estimate: m.estimate.bytes, estimatedRows: m.estimate.rows, mode: m.mode, ...extra };
}

/** What the command gives the cached path: its flags, parsed, and its own pieces of description and report. */
export interface CachedCommand {
  data: string;
  options: TrainModelOptions & { delimiter?: string };
  flags: { out?: string; plot?: string; checkpoint?: string; quiet?: boolean; json?: boolean; maxMemory?: string; cache?: string };
  choice: MemoryChoice;
  describeData(d: Dataset, rows: number): string;
  describeSettings(s: TrainSettings, inputs: number, outputs: number): string;
  checkOutput(s: TrainSettings, d: Dataset): void;
  report(p: { dataset: Dataset; settings: TrainSettings; out?: string; plot?: string; memory: Record<string, unknown> }, parts: TrainedParts): void;
  write?: WriteFn;
}

export async function trainCachedCommand(c: CachedCommand): Promise<void> {
  const { flags } = c;
  if (flags.checkpoint) {
    throw new BackpropError('option', '--checkpoint is not available when the data is read from a cache on disk: raise --max-memory so that the data is trained in memory, or train without checkpoints');
  }
  if (flags.maxMemory !== undefined) applyMemoryLimit(flags.maxMemory);
  if (flags.out) checkWritable(flags.out, '--out');
  if (flags.plot) checkWritable(flags.plot, '--plot');
  const path = dataFile(c.data)!;
  checkDistinctOutputs([{ role: 'the data file', path }], [{ role: '--out', path: flags.out }, { role: '--plot', path: flags.plot }, { role: '--cache', path: flags.cache }]);
  const human = !flags.json;
  const out = (s: string) => human && process.stdout.write(s + '\n');
  let progress = createProgress(0, { quiet: true });
  let dataset: Dataset | undefined;
  const run = await trainCached({
    path,
    source: c.data,
    options: c.options,
    budget: c.choice.budget.bytes,
    ...(flags.cache !== undefined ? { cacheDir: resolve(flags.cache) } : {}),
    note: (m) => process.stderr.write(`backprop: ${m}\n`),
    onStart: (r) => {
      const outputs = r.meta.schema.kind === 'classification' ? r.meta.schema.classes!.length : 1;
      dataset = { source: r.meta.source, schema: r.meta.schema, X: new Matrix(0, r.meta.features), Y: new Matrix(0, outputs), fingerprint: r.meta.fingerprint };
      c.checkOutput(r.settings, dataset);
      out(c.describeData(dataset, r.meta.rows));
      out(c.describeSettings(r.settings, r.meta.features, outputs));
      for (const line of describeCached(r, c.choice.budget, c.choice.estimate.bytes)) out(line);
      progress = createProgress(r.settings.epochs, { quiet: flags.quiet });
    },
    onEpoch: (p) => progress.epoch(p),
    ...(c.write ? { write: c.write } : {}),
  }).finally(() => progress.done());
  const { memory } = run;
  c.report(
    { dataset: dataset!, settings: run.settings, out: flags.out, plot: flags.plot, memory: memoryJSON(c.choice, { cache: memory.kept ? memory.cache : null, blockRows: memory.blockRows, blocksPerGroup: memory.blocksPerGroup, groups: memory.groups, reused: memory.reused }) },
    run.parts,
  );
}
