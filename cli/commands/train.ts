import type { Command } from 'commander';
import { datasetFromTable, listNames, type Dataset } from '../../src/data/dataset.js';
import { SCALING_NAMES } from '../../src/data/preprocess.js';
import { BackpropError } from '../../src/errors.js';
import type { Split } from '../../src/data/preprocess.js';
import {
  MIN_ROWS_FOR_TEST_SPLIT,
  resolveSettings,
  trainModel,
  type TrainModelOptions,
  type TrainModelResult,
  type TrainSettings,
} from '../../src/io/train-model.js';
import { loss as lookupLoss } from '../../src/nn/losses.js';
import { OPTIMIZER_NAMES } from '../../src/train/optimizers.js';
import { checkWritable, loadTable, writeFileAtomic } from '../files.js';
import { lossChart } from '../loss-chart.js';
import * as opt from '../options.js';
import { createProgress } from '../progress.js';
import { evaluationJSON, formatConfusion, formatSummary } from '../report.js';
import { lineChartSvg } from '../svg-plot.js';

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
  scale: string;
  stratify: boolean;
  delimiter?: string;
  out?: string;
  plot?: string;
  json?: boolean;
  quiet?: boolean;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a network on a CSV file or a bundled data set (xor, iris, digits), and optionally save it')
    .argument('<data>', 'a CSV file with a header row, or a bundled data set: xor, iris, digits')
    .option('--target <column>', 'the target column (default: the last column)')
    .option('--task <kind>', 'auto, classification or regression: how to read the target', 'auto')
    .option('--layers <sizes>', "hidden layer sizes, e.g. 16,8, or 'none' (default: one layer, 2 × max(inputs, outputs) units, 8 to 64)")
    .option('--activation <name>', 'activation of the hidden layers (default tanh)')
    .option('--output-activation <name>', 'sigmoid, softmax or linear (default softmax for classes, linear for numbers)')
    .option('--loss <name>', 'loss (default cross-entropy after softmax, binary-cross-entropy after sigmoid, else mse)')
    .option('--optimizer <name>', OPTIMIZER_NAMES.join(', '), 'adam')
    .option('--lr <x>', 'learning rate (default 0.01 for adam and rmsprop, 0.1 for the others)')
    .option('--batch <full|N>', "rows per step: 'full' (batch gradient descent), 1 (stochastic) or N", '32')
    .option('--epochs <n>', 'passes over the training rows', '100')
    .option('--seed <n>', 'seed of the split, the initial weights and the shuffling', '1')
    .option('--test-split <x>', 'fraction of rows held out as the test part (default 0.2; 0 below 20 rows)')
    .option('--validation-split <x>', 'fraction of the training rows held out for validation')
    .option('--early-stop <n>', 'stop after N epochs without a better validation loss (keeps the best weights)')
    .option('--scale <kind>', `feature scaling: ${SCALING_NAMES.join(', ')}`, 'standard')
    .option('--no-stratify', 'split at random, not class by class')
    .option('--delimiter <c>', 'field delimiter (default: detected among comma, semicolon and tab)')
    .option('--out <model.json>', 'save the trained model to this file (written atomically)')
    .option('--plot <loss.svg>', 'save the loss curves as an SVG chart')
    .option('--json', 'print one JSON object with the results (as the last line of stdout)')
    .option('--quiet', 'no progress display and no chart')
    .action((data: string, flags: TrainFlags) => train(data, flags));
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

function describeData(d: Dataset, rows: number): string {
  const { schema } = d;
  const target =
    schema.kind === 'classification'
      ? `${schema.classes!.length} classes: ${listNames(schema.classes!)}`
      : 'numbers: regression';
  return `${d.source}: ${rows} rows, ${schema.features.length} features → target '${schema.target}' (${target})`;
}

function describeSettings(s: TrainSettings, inputs: number, outputs: number): string {
  const shape = [inputs, ...s.layers, outputs].join('-');
  const hidden = s.layers.length ? `${s.activation} hidden, ` : '';
  return (
    `network ${shape}: ${hidden}${s.outputActivation} output, loss ${s.loss}; ${s.optimizer}, learning rate ${s.learningRate}, ` +
    `batch ${s.batchSize}, ${s.epochs} ${s.epochs === 1 ? 'epoch' : 'epochs'}, seed ${s.seed}`
  );
}

function describeSplit(s: TrainSettings, split: Split, givenTestSplit: boolean): string {
  const scaled = s.scale === 'none' ? 'features not scaled' : `features scaled (${s.scale}) on the training rows`;
  if (split.test.length === 0) {
    const why = givenTestSplit ? '' : ` (fewer than ${MIN_ROWS_FOR_TEST_SPLIT} rows: add --test-split to hold some out)`;
    return `all ${split.train.length} rows train, no test part${why}; ${scaled}`;
  }
  const how = s.stratify ? 'stratified by class' : 'at random';
  const val = s.validationSplit ? `, ${s.validationSplit} of the training rows kept for validation` : '';
  return `${split.train.length} training rows, ${split.test.length} test rows (${how}${val}); ${scaled}`;
}

function train(data: string, flags: TrainFlags): void {
  const options = parseFlags(flags);
  if (flags.out) checkWritable(flags.out, '--out');
  if (flags.plot) checkWritable(flags.plot, '--plot');
  const table = loadTable(data, options.delimiter);
  const dataset = datasetFromTable(table, { target: options.target, task: options.task });
  const settings = resolveSettings(dataset, options);
  checkOutput(settings, dataset, flags);
  const human = !flags.json;
  const out = (s: string) => human && process.stdout.write(s + '\n');
  const outputs = dataset.Y.cols;

  out(describeData(dataset, table.rows.length));
  out(describeSettings(settings, dataset.X.cols, outputs));
  let progress = createProgress(0, { quiet: true });
  let result: TrainModelResult;
  try {
    result = trainModel(
      table,
      {
        ...options,
        onStart: ({ split }) => {
          out(describeSplit(settings, split, flags.testSplit !== undefined));
          progress = createProgress(settings.epochs, { quiet: flags.quiet });
        },
        onEpochEnd: (info) => progress.epoch(info),
      },
      dataset,
    );
  } finally {
    progress.done();
  }

  const { history, metrics } = result;
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
    { name: 'train', e: result.train },
    { name: 'test', e: result.test },
  ]));
  const shown = result.test ?? result.train;
  if (shown.confusion && shown.classes) {
    out(`\nconfusion matrix (${result.test ? 'test' : 'training'} rows):\n${formatConfusion(shown.classes, shown.confusion)}`);
  }

  if (flags.out) {
    writeFileAtomic(flags.out, result.model.toText());
    out(`saved the model to ${flags.out}`);
  } else {
    out('(the model was not saved: add --out model.json to keep it)');
  }
  if (flags.plot) {
    const curves = [{ name: 'training loss', values: history.loss, color: '#1f77b4' }];
    if (other) curves.push({ name: `${other.name} loss`, values: other.values, color: '#ff7f0e' });
    const svg = lineChartSvg(curves, { title: `${dataset.source}: loss per epoch`, xLabel: 'epoch', yLabel: `loss (${settings.loss})` });
    writeFileAtomic(flags.plot, svg);
    out(`saved the loss chart to ${flags.plot}`);
  }
  if (flags.json) {
    const json = {
      ...metrics,
      stopReason: history.stopReason,
      loss: settings.loss,
      ...(dataset.schema.classes ? { classes: dataset.schema.classes } : {}),
      settings,
      test: result.test ? evaluationJSON(result.test) : null,
      model: flags.out ?? null,
      plot: flags.plot ?? null,
    };
    process.stdout.write(JSON.stringify(json) + '\n');
  }
}
