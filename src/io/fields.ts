/**
 * Field-by-field checks of parsed JSON (the model file, the training checkpoint). A schema is a
 * function that checks one value and returns it — an object rebuilt with its known fields in the
 * schema's order, unknown ones dropped — and reports each problem with the field's path as a
 * person would write it: `network.layers[0].weights[1][2]: expected a number, got string "x"`.
 *
 * A page of plain functions instead of a validation library: loading the library should cost no
 * module graph of its own (zod's took 12 MB of memory on import, and 90 KB of the playground).
 */

type Key = string | number;

/** The problems found so far, and where the check is. */
export class Issues {
  /** The path of the value being checked (pushed and popped by arrays and objects). */
  readonly path: Key[] = [];
  /** The first few problems, each with its field. */
  readonly first: { field: string; message: string }[] = [];
  count = 0;

  add(message: string): void {
    if (this.count++ < MAX_KEPT) this.first.push({ field: fieldName(this.path), message });
  }
}

const MAX_KEPT = 3;

/** Checks `value`, adding any problem to `issues`; returns the value (only meaningful without issues). */
export type Schema<T> = (value: unknown, issues: Issues) => T;

/** A field that may be left out (JSON has no undefined: absent). */
export interface Optional<T> {
  readonly optional: Schema<T>;
}

/** "network.layers[0].weights[1][2]": a path the way a person would write it. */
export function fieldName(path: readonly Key[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${p}`;
  return out || '(the whole file)';
}

/** What a value is, for "expected …, got …". */
function got(v: unknown): string {
  if (v === undefined) return 'nothing (the field is missing)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface NumberRange {
  /** Whole numbers only. */
  int?: boolean;
  /** At least. */
  min?: number;
  /** At most. */
  max?: number;
  /** Greater than. */
  above?: number;
  /** Less than. */
  below?: number;
}

/** A finite number, optionally whole and within bounds. */
export function number(range: NumberRange = {}): Schema<number> {
  const { int = false, min, max, above, below } = range;
  const bounds = [
    min !== undefined ? `≥ ${min}` : '',
    above !== undefined ? `> ${above}` : '',
    below !== undefined ? `< ${below}` : '',
    max !== undefined ? `≤ ${max}` : '',
  ].filter(Boolean);
  const expected = `${int ? 'a whole number' : 'a number'}${bounds.length ? ` ${bounds.join(' and ')}` : ''}`;
  return (v, issues) => {
    if (
      typeof v !== 'number' ||
      !Number.isFinite(v) ||
      (int && !Number.isInteger(v)) ||
      (min !== undefined && v < min) ||
      (max !== undefined && v > max) ||
      (above !== undefined && !(v > above)) ||
      (below !== undefined && !(v < below))
    ) {
      issues.add(`expected ${expected}, got ${got(v)}`);
    }
    return v as number;
  };
}

/** A string, optionally of an exact length. */
export function string(length?: number): Schema<string> {
  return (v, issues) => {
    if (typeof v !== 'string') issues.add(`expected a string, got ${got(v)}`);
    else if (length !== undefined && v.length !== length) issues.add(`expected ${length} character${length === 1 ? '' : 's'}, got ${got(v)}`);
    return v as string;
  };
}

export const boolean: Schema<boolean> = (v, issues) => {
  if (typeof v !== 'boolean') issues.add(`expected true or false, got ${got(v)}`);
  return v as boolean;
};

/** Exactly this value. */
export function literal<const T extends string | number>(value: T): Schema<T> {
  return (v, issues) => {
    if (v !== value) issues.add(`expected ${JSON.stringify(value)}, got ${got(v)}`);
    return v as T;
  };
}

/** One of these names. */
export function oneOf<const T extends readonly string[]>(names: T): Schema<T[number]> {
  return (v, issues) => {
    if (typeof v !== 'string' || !names.includes(v)) issues.add(`expected one of ${names.join(', ')}, got ${got(v)}`);
    return v as T[number];
  };
}

/** The first schema that accepts the value; `expected` describes them all for the message. */
export function either<A, B>(a: Schema<A>, b: Schema<B>, expected: string): Schema<A | B> {
  return (v, issues) => {
    for (const s of [a, b]) {
      const trial = new Issues();
      s(v, trial);
      if (trial.count === 0) return v as A | B;
    }
    issues.add(`expected ${expected}, got ${got(v)}`);
    return v as A | B;
  };
}

/** null, or what `s` accepts. */
export function nullable<T>(s: Schema<T>): Schema<T | null> {
  return (v, issues) => (v === null ? null : s(v, issues));
}

export function optional<T>(s: Schema<T>): Optional<T> {
  return { optional: s };
}

/** An array of items `item` accepts, with at least `min` or exactly `length` of them. */
export function array<T>(item: Schema<T>, size: { min?: number; length?: number } = {}): Schema<T[]> {
  const { min, length } = size;
  return (v, issues) => {
    if (!Array.isArray(v)) {
      issues.add(`expected an array, got ${got(v)}`);
      return v as T[];
    }
    if (length !== undefined && v.length !== length) issues.add(`has ${v.length} items, expected ${length}`);
    if (min !== undefined && v.length < min) issues.add(`has ${v.length} items, expected at least ${min}`);
    // copied only when an item comes back rebuilt (an object's unknown fields dropped)
    let out: unknown[] = v;
    const { path } = issues;
    for (let i = 0; i < v.length; i++) {
      path.push(i);
      const x = item(v[i], issues);
      path.pop();
      if (x !== v[i]) {
        if (out === v) out = v.slice();
        out[i] = x;
      }
    }
    return out as T[];
  };
}

/** An object whose values `value` accepts, keys kept as they are. */
export function record<T>(value: Schema<T>): Schema<Record<string, T>> {
  return (v, issues) => {
    if (!isObject(v)) {
      issues.add(`expected an object, got ${got(v)}`);
      return v as Record<string, T>;
    }
    const out: Record<string, T> = {};
    for (const [k, x] of Object.entries(v)) {
      issues.path.push(k);
      // defineProperty: a key such as "__proto__" stays a plain key
      Object.defineProperty(out, k, { value: value(x, issues), enumerable: true, writable: true, configurable: true });
      issues.path.pop();
    }
    return out;
  };
}

type Shape = Record<string, Schema<unknown> | Optional<unknown>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type Output<S extends Shape> = Simplify<
  { -readonly [K in keyof S as S[K] extends Optional<unknown> ? never : K]: S[K] extends Schema<infer T> ? T : never } & {
    -readonly [K in keyof S as S[K] extends Optional<unknown> ? K : never]?: S[K] extends Optional<infer T> ? T : never;
  }
>;

/** What a schema accepts, as a type. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

/** An object with these fields, rebuilt in this order; fields not named here are dropped. */
export function object<const S extends Shape>(shape: S): Schema<Output<S>> {
  const fields = Object.entries(shape);
  return (v, issues) => {
    if (!isObject(v)) {
      issues.add(`expected an object, got ${got(v)}`);
      return v as Output<S>;
    }
    const out: Record<string, unknown> = {};
    for (const [key, field] of fields) {
      const x = v[key];
      const optionalField = typeof field !== 'function';
      if (optionalField && x === undefined) continue;
      issues.path.push(key);
      out[key] = (optionalField ? field.optional : field)(x, issues);
      issues.path.pop();
    }
    return out as Output<S>;
  };
}

/**
 * Checks `raw` against `schema`: the checked value, or the problems as one line,
 * "field a.b[2]: expected …; field …" (the first three, and how many more).
 */
export function checkFields<T>(schema: Schema<T>, raw: unknown): { ok: true; value: T } | { ok: false; problems: string } {
  const issues = new Issues();
  const value = schema(raw, issues);
  if (issues.count === 0) return { ok: true, value };
  const more = issues.count > MAX_KEPT ? ` (and ${issues.count - MAX_KEPT} more)` : '';
  return { ok: false, problems: issues.first.map((i) => `field ${i.field}: ${i.message}`).join('; ') + more };
}
