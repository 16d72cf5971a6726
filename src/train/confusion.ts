/**
 * The figures of a classification from each row's predicted and actual class, in one pass over
 * the rows and one over the classes: with many classes (10,000 labels) a dense K×K confusion
 * matrix would take K² numbers and time, so it is built only up to DENSE_CONFUSION_MAX_CLASSES;
 * past that, the non-zero cells come as a list.
 */

/** The most classes for which the dense confusion matrix is built (a million cells). */
export const DENSE_CONFUSION_MAX_CLASSES = 1000;

export interface ClassFigures {
  /** Fraction of rows whose predicted class is the actual one. */
  accuracy: number;
  /** [actual][predicted] row counts, for up to DENSE_CONFUSION_MAX_CLASSES classes. */
  confusion?: number[][];
  /** The non-zero cells [actual, predicted, rows], most rows first, when `confusion` is not built. */
  confusionCells?: [number, number, number][];
  /** Per class: correct / predicted as it, and correct / actually it (NaN when undefined). */
  precision: number[];
  recall: number[];
}

/** The figures of `predicted` against `actual` (class indices below `k`). */
export function classFigures(predicted: Int32Array, actual: Int32Array, k: number): ClassFigures {
  const asActual = new Float64Array(k);
  const asPredicted = new Float64Array(k);
  const correct = new Float64Array(k);
  const dense = k <= DENSE_CONFUSION_MAX_CLASSES ? Array.from({ length: k }, () => new Array<number>(k).fill(0)) : undefined;
  const cells = dense ? undefined : new Map<number, number>();
  let hits = 0;
  for (let i = 0; i < predicted.length; i++) {
    const a = actual[i];
    const p = predicted[i];
    asActual[a]++;
    asPredicted[p]++;
    if (a === p) {
      correct[a]++;
      hits++;
    }
    if (dense) dense[a][p]++;
    else cells!.set(a * k + p, (cells!.get(a * k + p) ?? 0) + 1);
  }
  const precision = Array.from(correct, (c, j) => (asPredicted[j] ? c / asPredicted[j] : NaN));
  const recall = Array.from(correct, (c, j) => (asActual[j] ? c / asActual[j] : NaN));
  const accuracy = predicted.length ? hits / predicted.length : 0;
  if (dense) return { accuracy, confusion: dense, precision, recall };
  const confusionCells = Array.from(cells!, ([key, n]): [number, number, number] => [Math.floor(key / k), key % k, n]);
  confusionCells.sort((x, y) => y[2] - x[2] || x[0] - y[0] || x[1] - y[1]);
  return { accuracy, confusionCells, precision, recall };
}
