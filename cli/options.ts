import { BackpropError } from '../src/errors.js';
import { ACTIVATION_NAMES, normaliseActivationName } from '../src/nn/activations.js';
import { LOSS_ALIASES, LOSS_NAMES, normaliseLossName } from '../src/nn/losses.js';

/**
 * Checks of command-line option values: each failure is a BackpropError naming the option,
 * the value given and what was expected.
 */

const bad = (flag: string, raw: string, expected: string): never => {
  throw new BackpropError('option', `${flag} must be ${expected}, got '${raw}'`);
};

function toNumber(raw: string): number {
  return raw.trim() === '' ? NaN : Number(raw);
}

/** A whole number ≥ min (and ≤ max). */
export function wholeNumber(flag: string, raw: string, min = 1, max = Infinity): number {
  const v = toNumber(raw);
  if (!Number.isInteger(v) || v < min || v > max) {
    bad(flag, raw, max === Infinity ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${max}`);
  }
  return v;
}

/** Any whole number (a seed). */
export function integer(flag: string, raw: string): number {
  const v = toNumber(raw);
  if (!Number.isSafeInteger(v)) bad(flag, raw, 'a whole number');
  return v;
}

/** A finite number > 0. */
export function positive(flag: string, raw: string): number {
  const v = toNumber(raw);
  if (!Number.isFinite(v) || v <= 0) bad(flag, raw, 'a number greater than 0');
  return v;
}

/** A finite number ≥ 0 (a regularisation coefficient). */
export function nonNegative(flag: string, raw: string): number {
  const v = toNumber(raw);
  if (!Number.isFinite(v) || v < 0) bad(flag, raw, 'a number ≥ 0, such as 0.001 (0: none)');
  return v;
}

/** A fraction: ≥ 0 (or > 0) and < 1. */
export function fraction(flag: string, raw: string, allowZero: boolean): number {
  const v = toNumber(raw);
  const ok = Number.isFinite(v) && (allowZero ? v >= 0 : v > 0) && v < 1;
  if (!ok) bad(flag, raw, `a fraction ${allowZero ? '≥ 0' : '> 0'} and < 1, such as 0.2`);
  return v;
}

/** 'full' or a whole number ≥ 1. */
export function batchSize(flag: string, raw: string): number | 'full' {
  if (raw.trim().toLowerCase() === 'full') return 'full';
  const v = toNumber(raw);
  if (!Number.isInteger(v) || v < 1) bad(flag, raw, "'full' or a whole number ≥ 1 (rows per step)");
  return v;
}

/** Hidden layer sizes: "16,8", or "none" for no hidden layer. */
export function layers(flag: string, raw: string): number[] {
  if (raw.trim().toLowerCase() === 'none') return [];
  const parts = raw.split(',').map((s) => s.trim());
  const sizes = parts.map(toNumber);
  if (parts.length === 0 || sizes.some((u) => !Number.isInteger(u) || u < 1)) {
    bad(flag, raw, "hidden layer sizes separated by commas, each a whole number ≥ 1 (such as 16,8), or 'none'");
  }
  return sizes;
}

/** An activation name. */
export function activationName(flag: string, raw: string): string {
  const name = normaliseActivationName(raw);
  if (!name) throw new BackpropError('option', `${flag}: unknown activation '${raw}': expected one of ${ACTIVATION_NAMES.join(', ')}`);
  return name;
}

/** A loss name or alias. */
export function lossName(flag: string, raw: string): string {
  const name = normaliseLossName(raw);
  if (!name) {
    throw new BackpropError(
      'option',
      `${flag}: unknown loss '${raw}': expected one of ${LOSS_NAMES.join(', ')} (or ${Object.keys(LOSS_ALIASES).join(', ')})`,
    );
  }
  return name;
}

/** One of a fixed list of names. */
export function choice<T extends string>(flag: string, raw: string, names: readonly T[]): T {
  const v = raw.trim().toLowerCase();
  if (!(names as readonly string[]).includes(v)) throw new BackpropError('option', `${flag}: unknown value '${raw}': expected one of ${names.join(', ')}`);
  return v as T;
}

/** A one-character field delimiter; 'tab' and '\t' name the tab. */
export function delimiter(flag: string, raw: string): string {
  const d = raw === 'tab' || raw === '\\t' ? '\t' : raw === 'semicolon' ? ';' : raw === 'comma' ? ',' : raw;
  if (d.length !== 1 || d === '"' || d === '\n' || d === '\r') bad(flag, raw, "one character, such as ',' ';' or 'tab'");
  return d;
}
