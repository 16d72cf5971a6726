import type { Dataset } from '../src/data/dataset.js';
import { listNames } from '../src/data/dataset.js';
import type { Split } from '../src/data/preprocess.js';
import { MIN_ROWS_FOR_TEST_SPLIT, type TrainSettings } from '../src/io/train-model.js';

/** The lines `backprop train` begins with: the data, the network and its settings, the split. */

/** "iris.csv: 150 rows, 4 features → target 'species' (3 classes: …)". */
export function describeData(d: Dataset, rows: number): string {
  const { schema } = d;
  const target =
    schema.kind === 'classification'
      ? `${schema.classes!.length} classes: ${listNames(schema.classes!)}`
      : 'numbers: regression';
  return `${d.source}: ${rows} rows, ${schema.features.length} features → target '${schema.target}' (${target})`;
}

/** The network's shape and the training settings. */
export function describeSettings(s: TrainSettings, inputs: number, outputs: number): string {
  const shape = [inputs, ...s.layers, outputs].join('-');
  const hidden = s.layers.length ? `${s.activation} hidden, ` : '';
  return (
    `network ${shape}: ${hidden}${s.outputActivation} output, loss ${s.loss}; ${s.optimizer}, learning rate ${s.learningRate}, ` +
    `batch ${s.batchSize}, ${s.epochs} ${s.epochs === 1 ? 'epoch' : 'epochs'}, seed ${s.seed}` +
    (s.l1 || s.l2 ? `; regularisation${s.l1 ? ` L1 ${s.l1}` : ''}${s.l2 ? ` L2 ${s.l2}` : ''}` : '')
  );
}

/** The training and test parts, and the scaling. */
export function describeSplit(s: TrainSettings, split: Split, givenTestSplit: boolean): string {
  const scaled = s.scale === 'none' ? 'features not scaled' : `features scaled (${s.scale}) on the training rows`;
  if (split.test.length === 0) {
    const why = givenTestSplit ? '' : ` (fewer than ${MIN_ROWS_FOR_TEST_SPLIT} rows: add --test-split to hold some out)`;
    return `all ${split.train.length} rows train, no test part${why}; ${scaled}`;
  }
  const how = s.stratify ? 'stratified by class' : 'at random';
  const val = s.validationSplit ? `, ${s.validationSplit} of the training rows kept for validation` : '';
  return `${split.train.length} training rows, ${split.test.length} test rows (${how}${val}); ${scaled}`;
}
