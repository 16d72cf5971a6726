import type { ModelEvaluation } from '../src/io/model.js';

/** Text tables of results for the terminal. */

/** Pads each column to its widest cell; the first column left-aligned, the others right-aligned. */
export function table(rows: string[][], gap = 2): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => (r[j] ?? '').length)));
  return rows
    .map((r) => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join(' '.repeat(gap)).trimEnd())
    .join('\n');
}

/** A number for a table: fixed decimals, or exponent form when very small or large; '–' when undefined. */
export function num(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  const a = Math.abs(x);
  return a !== 0 && (a < 10 ** -digits || a >= 1e6) ? x.toExponential(2) : x.toFixed(digits);
}

/** The confusion matrix with class names: rows are the actual classes, columns the predicted ones. */
export function formatConfusion(classes: readonly string[], m: number[][]): string {
  const head = ['actual \\ predicted', ...classes];
  return table([head, ...m.map((row, i) => [classes[i], ...row.map(String)])]);
}

/** Precision, recall and row count per class. */
export function formatPerClass(e: ModelEvaluation): string {
  const classes = e.classes ?? [];
  const rows = [['class', 'precision', 'recall', 'rows']];
  classes.forEach((c, k) => {
    const count = e.confusion ? e.confusion[k].reduce((s, v) => s + v, 0) : 0;
    rows.push([c, num(e.precision?.[k], 3), num(e.recall?.[k], 3), String(count)]);
  });
  return table(rows);
}

/** Loss and accuracy (or RMSE, MAE, R²) of several evaluations side by side. */
export function formatSummary(parts: { name: string; e: ModelEvaluation | undefined }[]): string {
  const present = parts.filter((p): p is { name: string; e: ModelEvaluation } => p.e !== undefined);
  if (present.length === 0) return '';
  const classify = present[0].e.accuracy !== undefined;
  const head = classify ? ['', 'rows', 'loss', 'accuracy'] : ['', 'rows', 'loss', 'RMSE', 'MAE', 'R²'];
  const rows = present.map(({ name, e }) =>
    classify
      ? [name, String(e.rows), num(e.loss), num(e.accuracy, 4)]
      : [name, String(e.rows), num(e.loss), num(e.rmse), num(e.mae), num(e.r2, 4)],
  );
  return table([head, ...rows]);
}

/** The whole report for one evaluation: summary, per-class figures and confusion matrix. */
export function formatEvaluation(name: string, e: ModelEvaluation): string {
  const parts = [formatSummary([{ name, e }])];
  if (e.confusion && e.classes) {
    parts.push(`per class (${name} rows):\n${formatPerClass(e)}`);
    parts.push(`confusion matrix (${name} rows):\n${formatConfusion(e.classes, e.confusion)}`);
  }
  return parts.join('\n\n');
}

/** An evaluation as plain JSON-ready data (NaN becomes null). */
export function evaluationJSON(e: ModelEvaluation): Record<string, unknown> {
  return JSON.parse(JSON.stringify(e, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}
