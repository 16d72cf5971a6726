import { Matrix } from '../tensor/matrix.js';
import type { Dataset } from '../data/dataset.js';
import { scaledRows, scaleSplitInPlace, type Scaler, type Split } from '../data/preprocess.js';
import { rowsOf } from '../engine/forward.js';

// The training and test parts trainModel (train-model.ts) trains and measures on: the rows of the
// split, scaled, and each part's targets in their own units for evaluation.

/** The classes (classification) or the values in the target's units (regression) of some rows. */
export interface Truth {
  labels?: Int32Array;
  values?: Float64Array;
}

/** The classes (classification) or the unscaled values (regression) of the rows at idx. */
export function truthOf(dataset: Dataset, idx: Int32Array): Truth {
  if (dataset.labels) return { labels: Int32Array.from(idx, (i) => dataset.labels![i]) };
  return dataset.schema.kind === 'regression' ? { values: Float64Array.from(idx, (i) => dataset.Y.data[i]) } : {};
}

export type Parts = { X: Matrix; Y: Matrix; testX?: Matrix; testY?: Matrix };

/**
 * The scaled training and test parts: each copied out of the data once, or, `inPlace`, written
 * over the data set's own arrays (training rows first, then test rows) and handed out as views.
 */
export function trainingParts(dataset: Dataset, split: Split, features: Scaler, target: Scaler | undefined, inPlace: boolean): Parts {
  const targets = target ?? unscaled(dataset.Y.cols);
  if (!inPlace) {
    const X = scaledRows(features, dataset.X, split.train);
    const Y = scaledRows(targets, dataset.Y, split.train);
    if (!split.test.length) return { X, Y };
    return { X, Y, testX: scaledRows(features, dataset.X, split.test), testY: scaledRows(targets, dataset.Y, split.test) };
  }
  const X = scaleSplitInPlace(features, dataset.X, split.train, split.test);
  const Y = scaleSplitInPlace(targets, dataset.Y, split.train, split.test);
  const n = split.train.length;
  if (!split.test.length) return { X, Y };
  return { X: rowsOf(X, 0, n), Y: rowsOf(Y, 0, n), testX: rowsOf(X, n, X.rows - n), testY: rowsOf(Y, n, Y.rows - n) };
}

/** The scaling that leaves every one of `cols` columns as it is. */
function unscaled(cols: number): Scaler {
  return { kind: 'none', shift: new Array<number>(cols).fill(0), scale: new Array<number>(cols).fill(1) };
}
