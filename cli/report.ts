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

/** Past this many classes, a report lists (bounded) instead of tabulating every class. */
export const TABLE_MAX_CLASSES = 20;
/** Rows of such a list. */
const LISTED = 20;

/** The non-zero cells [actual, predicted, rows] of the confusion matrix, most rows first. */
function cells(e: ModelEvaluation): [number, number, number][] {
  if (e.confusionCells) return e.confusionCells;
  const out: [number, number, number][] = [];
  e.confusion?.forEach((row, a) => row.forEach((n, p) => n && out.push([a, p, n])));
  return out.sort((x, y) => y[2] - x[2] || x[0] - y[0] || x[1] - y[1]);
}

/** Rows per actual class. */
function rowsPerClass(e: ModelEvaluation): number[] {
  const counts = new Array<number>(e.classes?.length ?? 0).fill(0);
  for (const [a, , n] of cells(e)) counts[a] += n;
  return counts;
}

/**
 * The confusion matrix with class names (rows are the actual classes, columns the predicted
 * ones); past TABLE_MAX_CLASSES classes, a bounded list of the most frequent confusions instead.
 */
export function formatConfusion(e: ModelEvaluation): string {
  const classes = e.classes ?? [];
  if (e.confusion && classes.length <= TABLE_MAX_CLASSES) {
    const head = ['actual \\ predicted', ...classes];
    return table([head, ...e.confusion.map((row, i) => [classes[i], ...row.map(String)])]);
  }
  const wrong = cells(e).filter(([a, p]) => a !== p);
  const missed = wrong.reduce((s, [, , n]) => s + n, 0);
  const intro = `${classes.length} classes, too many for a table: ${missed} of ${e.rows} rows are predicted as another class`;
  if (wrong.length === 0) return intro;
  const rows = [['actual', 'predicted', 'rows'], ...wrong.slice(0, LISTED).map(([a, p, n]) => [classes[a], classes[p], String(n)])];
  const more = wrong.length > LISTED ? `\n… and ${wrong.length - LISTED} more pairs (--json gives them all)` : '';
  return `${intro}; the most frequent:\n${table(rows)}${more}`;
}

/** Precision, recall and row count per class (the first TABLE_MAX_CLASSES classes, when there are more). */
export function formatPerClass(e: ModelEvaluation): string {
  const classes = e.classes ?? [];
  const counts = rowsPerClass(e);
  const rows = [['class', 'precision', 'recall', 'rows']];
  classes.slice(0, TABLE_MAX_CLASSES).forEach((c, k) => rows.push([c, num(e.precision?.[k], 3), num(e.recall?.[k], 3), String(counts[k])]));
  const more = classes.length > TABLE_MAX_CLASSES ? `\n… and ${classes.length - TABLE_MAX_CLASSES} more classes (--json gives them all)` : '';
  return table(rows) + more;
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
  if (e.classes) {
    parts.push(`per class (${name} rows):\n${formatPerClass(e)}`);
    parts.push(`confusion matrix (${name} rows):\n${formatConfusion(e)}`);
  }
  return parts.join('\n\n');
}

/** An evaluation as plain JSON-ready data (NaN becomes null). */
export function evaluationJSON(e: ModelEvaluation): Record<string, unknown> {
  return JSON.parse(JSON.stringify(e, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}
