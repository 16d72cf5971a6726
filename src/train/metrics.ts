import { Matrix } from '../tensor/matrix.js';
import type { Network } from '../nn/network.js';
import { classesOf } from '../nn/classes.js';
import { classFigures } from './confusion.js';
import { lossInBlocks } from '../engine/forward.js';

export { classesOf } from '../nn/classes.js';

/** True when every target is 0 or 1: a classification task, where accuracy means something. */
export function isClassification(y: Matrix): boolean {
  const d = y.data;
  for (let i = 0; i < d.length; i++) if (d[i] !== 0 && d[i] !== 1) return false;
  return true;
}

/** Fraction of rows whose predicted class equals the target class. */
export function accuracy(out: Matrix, y: Matrix): number {
  const p = classesOf(out);
  const t = classesOf(y);
  let hit = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === t[i]) hit++;
  return p.length ? hit / p.length : 0;
}

/** Confusion matrix: entry [actual][predicted] counts rows. */
export function confusionMatrix(out: Matrix, y: Matrix): number[][] {
  const k = Math.max(2, y.cols);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const p = classesOf(out);
  const t = classesOf(y);
  for (let i = 0; i < p.length; i++) m[t[i]][p[i]]++;
  return m;
}

export interface Evaluation {
  /** The network's loss on the data, under its loss convention. */
  loss: number;
  /** The loss's name. */
  lossName: string;
  /** Present for classification targets (every target 0 or 1). */
  accuracy?: number;
  /** Present for classification targets: [actual][predicted], up to DENSE_CONFUSION_MAX_CLASSES classes. */
  confusion?: number[][];
  /** Past that many classes: the non-zero cells [actual, predicted, rows], most rows first. */
  confusionCells?: [number, number, number][];
  /** Per class, for classification: precision and recall (NaN when undefined). */
  precision?: number[];
  recall?: number[];
}

/**
 * Loss, and for classification accuracy, confusion matrix, precision and recall: one forward pass
 * over the rows, block by block (engine/forward.ts; the loss summed over blocks past one).
 */
export function evaluate(net: Network, x: Matrix | number[][], y: Matrix | number[][], engine: 'auto' | 'reference' = 'auto'): Evaluation {
  const X = net.input(x, 'X');
  const Y = net.input(y, 'Y');
  net.validate(X, Y);
  const predicted = isClassification(Y) ? new Int32Array(X.rows) : undefined;
  const loss = lossInBlocks(net, X, Y, engine, predicted && ((out, start) => void classesOf(out, predicted.subarray(start, start + out.rows))));
  const result: Evaluation = { loss, lossName: net.loss.name };
  // in one pass, whatever the number of classes (see confusion.ts)
  if (predicted) Object.assign(result, classFigures(predicted, classesOf(Y), Math.max(2, Y.cols)));
  return result;
}
