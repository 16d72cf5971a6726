import * as v from 'valibot';

/**
 * The pieces the model file's and the training checkpoint's schemas are built from: valibot's
 * schemas, each carrying as its message what it expects ("a whole number > 0"), and the issues
 * valibot finds written as one line that names each field the way a person would:
 * `field network.layers[0].weights[1][2]: expected a number, got string "x"`.
 */

export const string = v.string('a string');
export const boolean = v.boolean('true or false');

export const array = <const T extends v.GenericSchema>(item: T) => v.array(item, 'an array');

/** One of these names. */
export const picklist = <const T extends readonly string[]>(names: T) => v.picklist(names, `one of ${names.join(', ')}`);

/** Exactly this value. */
export const literal = <const T extends string | number>(value: T) => v.literal(value, JSON.stringify(value));

export interface NumberRange {
  /** Whole numbers only. */
  int?: boolean;
  /** At least. */
  min?: number;
  /** Greater than. */
  above?: number;
  /** Less than. */
  below?: number;
  /** At most. */
  max?: number;
}

/** A finite number within `range`; whichever check fails, the message states the whole range. */
export function number(range: NumberRange = {}, expected?: string) {
  const { int = false, min, above, below, max } = range;
  const bounds = [
    min !== undefined ? `≥ ${min}` : '',
    above !== undefined ? `> ${above}` : '',
    below !== undefined ? `< ${below}` : '',
    max !== undefined ? `≤ ${max}` : '',
  ].filter(Boolean);
  const m = expected ?? `${int ? 'a whole number' : 'a number'}${bounds.length ? ` ${bounds.join(' and ')}` : ''}`;
  const checks: v.PipeItem<number, number, v.BaseIssue<unknown>>[] = [v.finite(m)];
  if (int) checks.push(v.integer(m));
  if (min !== undefined) checks.push(v.minValue(min, m));
  if (above !== undefined) checks.push(v.gtValue(above, m));
  if (below !== undefined) checks.push(v.ltValue(below, m));
  if (max !== undefined) checks.push(v.maxValue(max, m));
  return v.pipe(v.number(m), ...checks);
}

/** A batch size: "full", or a number of rows. */
export const batchSize = (() => {
  const m = '"full" or a whole number > 0';
  // valibot reports a number that is not a batch size with the number's own message: the same words
  return v.union([v.literal('full', m), number({ int: true, above: 0 }, m)], m);
})();

/** The checksums of a saved file's sections (see src/io/checksum.ts): absent in files saved before there were any. */
export const checksums = v.optional(
  v.pipe(
    v.custom<Record<string, unknown>>((x) => isObject(x), 'an object'),
    v.record(v.string(), v.pipe(v.string('16 hex digits'), v.regex(/^[0-9a-f]{16}$/, '16 hex digits'))),
  ),
);

const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/** What a schema expects: its message (through optional and nullable to the schema they wrap). */
function expects(schema: unknown): string {
  const s = schema as { message?: unknown; wrapped?: unknown } | undefined;
  if (typeof s?.message === 'string') return s.message;
  return s?.wrapped ? expects(s.wrapped) : 'a value';
}

/**
 * An object with these fields, rebuilt in this order (fields not named here are dropped). A
 * missing field is reported as what it should have held; an array is not an object here.
 */
export function object<const E extends v.ObjectEntries>(entries: E) {
  return v.pipe(
    v.custom<Record<string, unknown>>(isObject, 'an object'),
    v.object(entries, (issue) => expects(entries[String(issue.path?.at(-1)?.key)])),
  );
}

/** An object of values `value` accepts, under any names. */
export function record<const T extends v.GenericSchema>(value: T) {
  return v.pipe(v.custom<Record<string, unknown>>(isObject, 'an object'), v.record(v.string(), value));
}

/** What a value is, for "expected …, got …". */
function got(x: unknown): string {
  if (x === undefined) return 'nothing (the field is missing)';
  if (x === null) return 'null';
  if (Array.isArray(x)) return `an array of ${x.length}`;
  if (typeof x === 'object') return 'an object';
  if (typeof x === 'string') return `string ${JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x)}`;
  return `${typeof x} ${String(x)}`;
}

/** "network.layers[0].weights[1][2]": an issue's path the way a person would write it. */
function fieldName(path: readonly v.IssuePathItem[] = []): string {
  let out = '';
  for (const { key } of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out || '(the whole file)';
}

const SHOWN = 3;

/**
 * Checks `raw` against `schema`: the checked value, or the problems as one line,
 * "field a.b[2]: expected …, got …; field …" (the first three, and how many more).
 */
export function check<S extends v.GenericSchema>(schema: S, raw: unknown): { ok: true; value: v.InferOutput<S> } | { ok: false; problems: string } {
  // one problem per value: a number that is neither whole nor in range is one problem
  const result = v.safeParse(schema, raw, { abortPipeEarly: true });
  if (result.success) return { ok: true, value: result.output };
  const { issues } = result;
  const more = issues.length > SHOWN ? ` (and ${issues.length - SHOWN} more)` : '';
  return { ok: false, problems: issues.slice(0, SHOWN).map((i) => `field ${fieldName(i.path)}: expected ${i.message}, got ${got(i.input)}`).join('; ') + more };
}
