import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Dataset } from '../../src/data/dataset.js';
import { SCALING_NAMES } from '../../src/data/preprocess.js';
import { BackpropError } from '../../src/errors.js';
import { checkResumable, type CheckpointOrigin } from '../../src/io/train-checkpoint.js';
import { TRAIN_DEFAULTS as D } from '../../src/io/train-settings.js';
import { MIN_ROWS_FOR_TEST_SPLIT, resolveSettings, type TrainModelOptions, type TrainSettings } from '../../src/io/train-model.js';
import { loss as lookupLoss } from '../../src/nn/losses.js';
import { defaultLearningRate, OPTIMIZER_NAMES } from '../../src/train/optimizers.js';
import { checkpointFile, prepareCheckpointDir, readCheckpoint, removeCheckpoint, resumeCheckpoint, type ResumedCheckpoint } from '../checkpoint-files.js';
import { checkDistinctOutputs, checkWritable, dataFile, loadDataset, writeFileAtomic } from '../files.js';
import { lossChart } from '../loss-chart.js';
import { describeData, describeSettings, describeSplit } from '../train-description.js';
import * as opt from '../options.js';
import { createProgress } from '../progress.js';
import { evaluationJSON, formatConfusion, formatSummary } from '../report.js';
import { resumeOptions, SETTING_FLAGS } from '../resume.js';
import { lineChartSvg } from '../svg-plot.js';
import { applyMemoryLimit } from '../memory.js';
import { chooseMode, describeMemory, memoryJSON, trainCachedCommand, type MemoryChoice } from '../cache/train-command.js';
import { checkNetworkSize } from '../../src/nn/limits.js';
import { runTraining, type TrainedParts } from '../train-runner.js';

interface TrainFlags {
  target?: string;
  task: string;
  layers?: string;
  activation?: string;
  outputActivation?: string;
  loss?: string;
  optimizer: string;
  lr?: string;
  batch: string;
  epochs: string;
  seed: string;
  testSplit?: string;
  validationSplit?: string;
  earlyStop?: string;
  l1?: string;
  l2?: string;
  scale: string;
  stratify: boolean;
  delimiter?: string;
  out?: string;
  plot?: string;
  json?: boolean;
  quiet?: boolean;
  checkpoint?: string;
  every?: string;
  everyBatches?: string;
  resume?: string;
  maxMemory?: string;
  cache?: string;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a network on a CSV file or a bundled data set (xor, iris, digits), and optionally save it')
    .argument('[data]', 'a CSV file with a header row, or a bundled data set: xor, iris, digits (with --resume: the checkpoint\'s)')
    .option('--target <column>', 'the target column (default: the last column)')
    .option('--task <kind>', 'auto, classification or regression: how to read the target', 'auto')
    .option('--layers <sizes>', "hidden layer sizes, e.g. 16,8, or 'none' (default: one layer, 2 × max(inputs, outputs) units, 8 to 64)")
    .option('--activation <name>', `activation of the hidden layers (default ${D.activation})`)
    .option('--output-activation <name>', 'sigmoid, softmax or linear (default softmax for classes, linear for numbers)')
    .option('--loss <name>', 'loss (default cross-entropy after softmax, binary-cross-entropy after sigmoid, else mse)')
    .option('--optimizer <name>', OPTIMIZER_NAMES.join(', '), D.optimizer)
    .option('--lr <x>', `learning rate (default ${defaultLearningRate('adam')} for adam and rmsprop, ${defaultLearningRate('sgd')} for the others)`)
    .option('--batch <full|N>', "rows per step: 'full' (batch gradient descent), 1 (stochastic) or N", String(D.batchSize))
    .option('--epochs <n>', 'passes over the training rows', String(D.epochs))
    .option('--seed <n>', 'seed of the split, the initial weights and the shuffling', String(D.seed))
    .option('--test-split <x>', `fraction of rows held out as the test part (default ${D.testSplit}; 0 below ${MIN_ROWS_FOR_TEST_SPLIT} rows)`)
    .option('--validation-split <x>', 'fraction of the training rows held out for validation')
    .option('--early-stop <n>', 'stop after N epochs without a better validation loss (keeps the best weights)')
    .option('--l1 <x>', `L1 regularisation: the loss gains x·Σ|W| over the weights, not the biases (default ${D.l1}: none)`)
    .option('--l2 <x>', `L2 regularisation (weight decay): the loss gains x/2·ΣW² over the weights, not the biases (default ${D.l2}: none)`)
    .option('--scale <kind>', `feature scaling: ${SCALING_NAMES.join(', ')}`, D.scale)
    .option('--no-stratify', 'split at random, not class by class')
    .option('--delimiter <c>', 'field delimiter (default: detected among comma, semicolon and tab)')
    .option('--out <model.json>', 'save the trained model to this file (written atomically)')
    .option('--plot <loss.svg>', 'save the loss curves as an SVG chart')
    .option('--json', 'print one JSON object with the results (as the last line of stdout)')
    .option('--quiet', 'no progress display and no chart')
    .option('--checkpoint <dir>', 'save checkpoints in this folder (as checkpoint.json, replaced atomically); SIGINT or SIGTERM then stops after the current batch with a checkpoint')
    .option('--every <n>', 'with --checkpoint: save a checkpoint every n epochs (default 1)')
    .option('--every-batches <n>', 'with --checkpoint: save a checkpoint every n batches, counted across epochs (instead of every epoch, unless --every is given too)')
    .option(
      '--max-memory <size>',
      'the memory budget of the run, such as 200MB or 4GB (default: half the free memory): the network must fit it, and data that would not fit ' +
        'in memory is read into a cache on disk and trained a group of blocks at a time (the blocks in a seeded random order each epoch, ' +
        'the rows shuffled within each group: not one shuffle of all rows as in memory)',
    )
    .option('--cache <dir>', 'keep the disk cache of data larger than --max-memory in this folder, for the next run on the same file and settings (default: a temporary folder, removed at the end)')
    .option('--resume <dir>', "continue the run saved in this --checkpoint folder, with its data, settings and output files; only --epochs may change; it ends with the weights of the uninterrupted run")
    .action((data: string | undefined, flags: TrainFlags, cmd: Command) => train(data, flags, (name) => cmd.getOptionValueSource(name) === 'cli'));
}

/** Checks every flag before anything is read or trained. */
function parseFlags(f: TrainFlags): TrainModelOptions & { delimiter?: string } {
  return {
    target: f.target,
    task: opt.choice('--task', f.task, ['auto', 'classification', 'regression'] as const),
    layers: f.layers === undefined ? undefined : opt.layers('--layers', f.layers),
    activation: f.activation === undefined ? undefined : opt.activationName('--activation', f.activation),
    outputActivation: f.outputActivation === undefined ? undefined : opt.activationName('--output-activation', f.outputActivation),
    loss: f.loss === undefined ? undefined : opt.lossName('--loss', f.loss),
    optimizer: opt.choice('--optimizer', f.optimizer, OPTIMIZER_NAMES),
    learningRate: f.lr === undefined ? undefined : opt.positive('--lr', f.lr),
    batchSize: opt.batchSize('--batch', f.batch),
    epochs: opt.wholeNumber('--epochs', f.epochs, 1),
    seed: opt.integer('--seed', f.seed),
    testSplit: f.testSplit === undefined ? undefined : opt.fraction('--test-split', f.testSplit, true),
    validationSplit: f.validationSplit === undefined ? undefined : opt.fraction('--validation-split', f.validationSplit, false),
    earlyStop: f.earlyStop === undefined ? undefined : opt.wholeNumber('--early-stop', f.earlyStop, 1),
    l1: f.l1 === undefined ? undefined : opt.nonNegative('--l1', f.l1),
    l2: f.l2 === undefined ? undefined : opt.nonNegative('--l2', f.l2),
    scale: opt.choice('--scale', f.scale, SCALING_NAMES),
    stratify: f.stratify,
    delimiter: f.delimiter === undefined ? undefined : opt.delimiter('--delimiter', f.delimiter),
  };
}

/** The output activation and loss must suit each other and the target: say so with the flags' names. */
function checkOutput(s: TrainSettings, d: Dataset, flags: TrainFlags): void {
  const fused = lookupLoss(s.loss).fusedWith;
  if (fused && s.outputActivation !== fused) {
    throw new BackpropError(
      'option',
      `--loss ${s.loss} needs --output-activation ${fused}, but the output activation is ${s.outputActivation}` +
        (flags.outputActivation ? '' : ' (the default for this target)') +
        `: add --output-activation ${fused}, or choose a squared-error loss such as mse`,
    );
  }
  if (d.schema.kind === 'regression' && s.outputActivation === 'softmax') {
    throw new BackpropError(
      'option',
      `--output-activation softmax does not fit the numeric target '${d.schema.target}': a regression has one output, and softmax over one output is always 1; use linear`,
    );
  }
}

/** What a run reads and writes: from the flags, or for --resume from the checkpoint and the flags given. */
interface Plan {
  dataset: Dataset;
  settings: TrainSettings;
  options: TrainModelOptions;
  out?: string;
  plot?: string;
  checkpoint?: { path: string; dir: string; everyEpochs?: number; everyBatches?: number; origin: CheckpointOrigin };
  resumed?: ResumedCheckpoint;
  /** The memory budget and the mode chosen (for --json). */
  memory?: Record<string, unknown>;
}

async function plan(data: string | undefined, flags: TrainFlags, given: (flag: string) => boolean): Promise<Plan> {
  if (!flags.checkpoint && !flags.resume && (flags.every !== undefined || flags.everyBatches !== undefined)) {
    throw new BackpropError('option', `${flags.every !== undefined ? '--every' : '--every-batches'} needs --checkpoint DIR: say where to save the checkpoints`);
  }
  const parsed = parseFlags(flags);
  if (flags.maxMemory !== undefined) applyMemoryLimit(flags.maxMemory);
  const every = flags.every === undefined ? undefined : opt.wholeNumber('--every', flags.every, 1);
  const everyBatches = flags.everyBatches === undefined ? undefined : opt.wholeNumber('--every-batches', flags.everyBatches, 1);
  const resumed = flags.resume ? resumeCheckpoint(flags.resume) : undefined;
  const origin = resumed?.checkpoint.origin ?? {};
  const { delimiter, ...fromFlags } = parsed;
  const options = resumed ? { ...resumeOptions(resumed.checkpoint, fromFlags, given), resume: resumed.checkpoint, settingNames: SETTING_FLAGS } : fromFlags;
  const out = flags.out ?? origin.out;
  const plot = flags.plot ?? origin.plot;
  if (out) checkWritable(out, '--out');
  if (plot) checkWritable(plot, '--plot');

  const source = data ?? origin.data;
  if (source === undefined) {
    throw new BackpropError(
      'option',
      resumed
        ? `the checkpoint ${resumed.path} does not say where its data is: give the data file as the first argument`
        : 'train needs data: a CSV file or a bundled data set (xor, iris, digits), or --resume DIR to continue a run',
    );
  }
  const ckptFile = flags.checkpoint ?? resumed?.path;
  checkDistinctOutputs([{ role: 'the data file', path: dataFile(source) }], [{ role: '--checkpoint', path: ckptFile && checkpointFile(ckptFile) }, { role: '--out', path: out }, { role: '--plot', path: plot }]);
  const sep = given('delimiter') || !resumed ? delimiter : origin.delimiter;
  let dataset = await loadDataset(source, { delimiter: sep, target: options.target, task: options.task });
  // Read again from where the checkpoint says, the data keeps the name the run started with.
  if (resumed && data === undefined) dataset = { ...dataset, source: resumed.checkpoint.data.source };
  const settings = resolveSettings(dataset, options);
  checkOutput(settings, dataset, flags);
  checkNetworkSize(dataset.X.cols, [...settings.layers, dataset.Y.cols].map((units) => ({ units })), true, 'float64'); // before any training
  if (resumed) checkResumable(resumed.checkpoint, { source: dataset.source, rows: dataset.X.rows, fingerprint: dataset.fingerprint }, settings, SETTING_FLAGS);

  const dir = flags.checkpoint ?? (resumed ? dirname(resumed.path) : undefined);
  let checkpoint: Plan['checkpoint'];
  if (dir !== undefined) {
    const ownEvery = every !== undefined || everyBatches !== undefined;
    const everyEpochs = ownEvery ? every : (origin.everyEpochs ?? (origin.everyBatches ? undefined : 1));
    const batches = ownEvery ? everyBatches : origin.everyBatches;
    checkpoint = {
      path: prepareCheckpointDir(dir, resumed?.path),
      dir,
      ...(everyEpochs ? { everyEpochs } : {}),
      ...(batches ? { everyBatches: batches } : {}),
      origin: {
        data: existsSync(source) ? resolve(source) : source,
        ...(sep ? { delimiter: sep } : {}),
        ...(out ? { out: resolve(out) } : {}),
        ...(plot ? { plot: resolve(plot) } : {}),
        ...(everyEpochs ? { everyEpochs } : {}),
        ...(batches ? { everyBatches: batches } : {}),
      },
    };
  }
  return { dataset, settings, options, out, plot, checkpoint, resumed };
}

/** "every epoch", "every 5 epochs and every 100 batches". */
function describeEvery(c: NonNullable<Plan['checkpoint']>): string {
  const parts: string[] = [];
  if (c.everyEpochs) parts.push(c.everyEpochs === 1 ? 'every epoch' : `every ${c.everyEpochs} epochs`);
  if (c.everyBatches) parts.push(c.everyBatches === 1 ? 'every batch' : `every ${c.everyBatches} batches`);
  return parts.join(' and ');
}

/** "epoch 3, after batch 17" or "after epoch 2": where a checkpoint stands. */
function describePosition(at: { epoch: number; batch: number }): string {
  return at.batch > 0 ? `epoch ${at.epoch}, after batch ${at.batch}` : `the end of epoch ${at.epoch - 1}`;
}

function shellWord(s: string): string {
  return /^[\w./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Data over the memory budget, or a run resumed from a checkpoint of such a run, trains from a
 * cache on disk (cli/cache/): true when it did.
 */
async function trainedFromCache(data: string | undefined, flags: TrainFlags, given: (flag: string) => boolean, choice: MemoryChoice | undefined): Promise<boolean> {
  const peek = flags.resume ? readCheckpoint(flags.resume, '--resume', () => {}) : undefined;
  if (choice?.mode !== 'disk-cache' && !peek?.blocks) return false;
  const { delimiter, ...options } = parseFlags(flags);
  const resumed = flags.resume ? resumeCheckpoint(flags.resume) : undefined;
  await trainCachedCommand({
    data,
    options: { ...(resumed ? resumeOptions(resumed.checkpoint, options, given) : options), ...(delimiter !== undefined ? { delimiter } : {}) },
    flags,
    ...(choice ? { choice } : {}),
    ...(resumed ? { resumed } : {}),
    settingNames: SETTING_FLAGS,
    describeData,
    describeSettings,
    checkOutput: (s, d) => checkOutput(s, d, flags),
    report: (p, parts) => report(p, parts, flags, (s) => !flags.json && process.stdout.write(s + '\n')),
  });
  return true;
}

async function train(data: string | undefined, flags: TrainFlags, given: (flag: string) => boolean): Promise<void> {
  const choice = flags.resume ? undefined : chooseMode(data, flags.maxMemory);
  if (await trainedFromCache(data, flags, given, choice)) return;
  const p = { ...(await plan(data, flags, given)), ...(choice ? { memory: memoryJSON(choice) } : {}) };
  const { dataset, settings } = p;
  const human = !flags.json;
  const out = (s: string) => human && process.stdout.write(s + '\n');
  const note = (s: string) => process.stderr.write(`backprop: ${s}\n`);

  out(describeData(dataset, dataset.X.rows));
  out(describeSettings(settings, dataset.X.cols, dataset.Y.cols));
  if (choice) out(describeMemory(choice, flags.cache));
  if (p.resumed) out(`resuming from ${p.resumed.path}: ${describePosition(p.resumed.checkpoint.fit)}`);
  if (p.checkpoint) out(`checkpoints: ${describeEvery(p.checkpoint)} to ${p.checkpoint.path} (Ctrl-C or SIGTERM stops with a checkpoint)`);

  let progress = createProgress(0, { quiet: true });
  let saved: { epoch: number; batch: number } | undefined;
  const { delimiter: _, ...options } = p.options as TrainModelOptions & { delimiter?: string };
  const outcome = await runTraining(
    {
      dataset,
      options,
      ...(p.checkpoint
        ? { checkpoint: { path: p.checkpoint.path, everyEpochs: p.checkpoint.everyEpochs, everyBatches: p.checkpoint.everyBatches, origin: p.checkpoint.origin } }
        : {}),
      modelText: p.out !== undefined,
    },
    {
      onStart: (split) => {
        out(describeSplit(settings, split, flags.testSplit !== undefined || p.resumed !== undefined));
        progress = createProgress(settings.epochs, { quiet: flags.quiet });
      },
      onEpoch: (info) => progress.epoch(info),
      onCheckpoint: (at) => void (saved = at),
      onSignal: (signal) => process.stderr.write(`\nbackprop: ${signal}: stopping after the current batch, with a checkpoint (again to quit at once)\n`),
    },
    p.checkpoint !== undefined,
  ).finally(() => progress.done());

  if (outcome.kind === 'diverged') {
    note(outcome.message);
    if (p.out) {
      if (outcome.parts.modelText === undefined) note(`the last good weights were not saved: ${outcome.parts.modelError}`);
      else {
        writeFileAtomic(p.out, outcome.parts.modelText);
        note(`saved the weights of the last good step to ${p.out}`);
      }
    }
    if (p.checkpoint && removeCheckpoint(p.checkpoint.path, p.resumed?.verified)) {
      note(`removed the checkpoint ${p.checkpoint.path}: resuming it would diverge the same way`);
    } else if (p.checkpoint && p.resumed?.verified === false) note(`kept the checkpoint ${p.checkpoint.path}: this run could not verify it (no checksum)`);
    process.exitCode = 1;
    return;
  }
  const parts = outcome.parts;
  if (parts.history.stopReason === 'interrupted' && p.checkpoint) {
    const where = saved ? ` at ${describePosition(saved)}` : '';
    note(
      `stopped by ${outcome.signal ?? 'a signal'}${where}, and saved a checkpoint to ${p.checkpoint.path}: ` +
        `continue with \`backprop train --resume ${shellWord(p.checkpoint.dir)}\``,
    );
    process.exitCode = 128 + (outcome.signal === 'SIGTERM' ? 15 : 2);
    return;
  }
  report(p, parts, flags, out);
}

/** The results of a finished run: chart, figures, the saved files. */
function report(p: Pick<Plan, 'dataset' | 'settings' | 'out' | 'plot' | 'resumed' | 'memory'> & { checkpoint?: { path: string; dir: string } }, parts: TrainedParts, flags: TrainFlags, out: (s: string) => void): void {
  const { dataset, settings } = p;
  const { history, metrics } = parts;
  // the model first: nothing printed after training may cost it
  if (p.out) {
    if (parts.modelText === undefined) throw new BackpropError('model', parts.modelError ?? 'the model file could not be written');
    writeFileAtomic(p.out, parts.modelText);
  }
  const human = !flags.json;
  const other = history.valLoss
    ? { name: 'validation', values: history.valLoss }
    : history.testLoss
      ? { name: 'test', values: history.testLoss }
      : undefined;
  if (human && !flags.quiet) {
    const chart = lossChart(history.loss, other, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR });
    if (chart) out(`\n${chart}\n`);
  }
  const stop =
    history.stopReason === 'early-stopping'
      ? `stopped early after ${history.epochs} epochs, keeping the weights of epoch ${history.bestEpoch}`
      : `trained ${history.epochs} ${history.epochs === 1 ? 'epoch' : 'epochs'}`;
  out(`${stop} in ${history.seconds.toFixed(2)} s`);
  out(formatSummary([
    { name: 'train', e: parts.train },
    { name: 'test', e: parts.test },
  ]));
  const shown = parts.test ?? parts.train;
  if (shown.classes) out(`\nconfusion matrix (${parts.test ? 'test' : 'training'} rows):\n${formatConfusion(shown)}`);
  out(p.out ? `saved the model to ${p.out}` : '(the model was not saved: add --out model.json to keep it)');
  if (p.plot) {
    const curves = [{ name: 'training loss', values: history.loss, color: '#1f77b4' }];
    if (other) curves.push({ name: `${other.name} loss`, values: other.values, color: '#ff7f0e' });
    const svg = lineChartSvg(curves, { title: `${dataset.source}: loss per epoch`, xLabel: 'epoch', yLabel: `loss (${settings.loss})` });
    writeFileAtomic(p.plot, svg);
    out(`saved the loss chart to ${p.plot}`);
  }
  if (p.checkpoint) {
    if (!p.out) out(`kept the checkpoint ${p.checkpoint.path}: \`backprop train --resume ${shellWord(p.checkpoint.dir)} --out model.json\` saves this model`);
    else if (removeCheckpoint(p.checkpoint.path, p.resumed?.verified)) out(`removed the checkpoint ${p.checkpoint.path}: the run is complete`);
    else if (p.resumed?.verified === false) out(`kept the checkpoint ${p.checkpoint.path}: the run resumed from a checkpoint it could not verify (no checksum)`);
  }
  if (flags.json) {
    const json = {
      ...metrics,
      stopReason: history.stopReason,
      loss: settings.loss,
      ...(dataset.schema.classes ? { classes: dataset.schema.classes } : {}),
      settings,
      test: parts.test ? evaluationJSON(parts.test) : null,
      model: p.out ?? null,
      plot: p.plot ?? null,
      ...(p.memory ? { memory: p.memory } : {}),
    };
    process.stdout.write(JSON.stringify(json) + '\n');
  }
}
