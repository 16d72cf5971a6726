import { parseNumber } from './csv.js';

/** What the target column holds: class names (one-hot encoded) or numbers (regression). */
export type TargetKind = 'classification' | 'regression';

/** The columns a model was trained on, kept in its file so new data can be checked against them. */
export interface DataSchema {
  /** Feature column names, in the order of the network's inputs. */
  features: string[];
  /** The target column's name. */
  target: string;
  kind: TargetKind;
  /** Class names in the order of the network's outputs (classification only). */
  classes?: string[];
}

export interface DatasetOptions {
  /** The target column by name (default: the last column). */
  target?: string;
  /**
   * 'auto' (default): class names when the target has text, or whole numbers with at most
   * MAX_AUTO_CLASSES distinct values (and at least two rows per value on average); else numbers.
   */
  task?: 'auto' | TargetKind;
}

/** The most distinct whole numbers a target may hold for 'auto' to read it as classes. */
export const MAX_AUTO_CLASSES = 20;

/** Class names are kept as written, except numbers, which are written canonically ("1.0" is "1"). */
export function className(cell: string): string {
  const v = parseNumber(cell);
  return typeof v === 'number' ? String(v) : cell;
}

/** Class names in order: by value when all are numbers, else by text. */
export function classNamesSorted(list: string[]): string[] {
  const numeric = list.every((c) => typeof parseNumber(c) === 'number');
  return numeric ? list.sort((a, b) => Number(a) - Number(b)) : list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** 'a', 'b', 'c', … (N in all): a list of names short enough for one line. */
export function listNames(names: readonly string[], max = 8): string {
  const shown = names.slice(0, max).map((n) => `'${n}'`);
  return names.length > max ? `${shown.join(', ')}, … (${names.length} in all)` : shown.join(', ');
}
