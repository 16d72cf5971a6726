// Fuzzing (fast-check) of everything that reads outside input: CSV text through to a data set,
// and model file text through to predictions. Every input either loads, giving data or
// predictions of the right shape, or fails with a BackpropError and a message; any other
// exception is a bug. Shared by the default suite (a few hundred cases) and test/long (10,000).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  applyScaler,
  BackpropError,
  datasetForSchema,
  fitScaler,
  datasetFromTable,
  Model,
  modelFileToText,
  networkFromModelFile,
  parseCsv,
  parseModelFile,
  SCALING_NAMES,
  trainModel,
  type DatasetOptions,
  type ScalingName,
} from '../src/index.js';
import { networkOf, scalingArb, weightCases } from './arbitraries.js';
import { modelFileFor } from './export-checks.js';

/** Runs `load`; a failure must be a BackpropError with a message. Returns whether it loaded. */
export function loadsOrRefuses(load: () => void, what: string): boolean {
  try {
    load();
    return true;
  } catch (err) {
    if (!(err instanceof BackpropError)) {
      throw new Error(`${what}: expected a BackpropError, got ${(err as Error)?.stack ?? String(err)}`);
    }
    assert.ok(typeof err.message === 'string' && err.message.trim().length > 0, `${what}: an empty message`);
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// CSV

/** Odd cells: number forms that are not plain, text where numbers belong, quotes, line breaks. */
const oddCellArb = fc.oneof(
  fc.constantFrom('1e308', '-1.7976931348623157e308', '1e309', '-1e400', '4.9e-324', '1e-400', '0.0', '-0', '+3', '.5', '5.', '1,5', '0x10', '1_000', ' 7 '),
  fc.constantFrom('NaN', 'nan', 'Infinity', '-inf', 'n/a', 'null', '?', '"', '""', 'a,b', 'x\ny', '\t', ' ', ''),
  fc.string({ unit: 'binary', maxLength: 6 }),
);

const column = (cell: fc.Arbitrary<string>) => fc.array(cell, { minLength: 8, maxLength: 8 });
/** A feature column: numbers of every size and form. */
const numberColumnArb = fc.oneof(
  column(fc.double({ noNaN: true, noDefaultInfinity: true }).map(String)),
  column(fc.double({ min: -1000, max: 1000, noNaN: true }).map((x) => x.toFixed(3))),
  column(fc.integer({ min: -3, max: 3 }).map(String)),
);
/** A target column: numbers, or class names. */
const targetColumnArb = fc.oneof(numberColumnArb, column(fc.constantFrom('setosa', 'versicolor', 'yes', 'no', 'Ünïcödé', '日本', 'a "b"', 'x, y')));

/** A well-formed CSV text (before mutation): a header, rows, a delimiter, quoting, line ends, BOM; a few odd cells. */
export const validCsvArb = fc
  .record({
    features: fc.array(numberColumnArb, { minLength: 1, maxLength: 4 }),
    target: targetColumnArb,
    rows: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 8 }) }, { weight: 1, arbitrary: fc.constant(0) }),
    delimiter: fc.constantFrom(',', ';', '\t'),
    decimalComma: fc.boolean(),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    bom: fc.boolean(),
    quoteAll: fc.boolean(),
    trailingEol: fc.boolean(),
    names: fc.array(fc.oneof(fc.constantFrom('x', 'y', 'label', 'petal length', 'a;b', 'q"uote', ''), fc.string({ maxLength: 5 })), { minLength: 5, maxLength: 5 }),
    odd: fc.array(fc.tuple(fc.nat(), fc.nat(), oddCellArb), { maxLength: 2 }),
  })
  .map((c) => {
    const quote = (s: string) => (c.quoteAll || /[",;\t\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const cell = (s: string) => (c.decimalComma && c.delimiter !== ',' ? s.replace(/^(-?\d+)\.(\d+)$/, '$1,$2') : s);
    const columns = [...c.features, c.target];
    const grid = Array.from({ length: c.rows }, (_, i) => columns.map((col) => cell(col[i])));
    for (const [i, j, v] of c.odd) if (c.rows > 0) grid[i % c.rows][j % columns.length] = v;
    const names = columns.map((_, j) => c.names[j] || `col${j}`);
    const header = names.map((n, j) => quote(names.indexOf(n) < j ? `${n}${j}` : n)).join(c.delimiter);
    const lines = [header, ...grid.map((r) => r.map(quote).join(c.delimiter))];
    return (c.bom ? '\uFEFF' : '') + lines.join(c.eol) + (c.trailingEol ? c.eol : '');
  });

/** Short strings that break CSV in interesting ways, spliced into a file. */
const splice = fc.oneof(
  fc.constantFrom('"', '""', ',', ';', '\t', '\n', '\r', '\r\n', '\uFEFF', '\u0000', '\uFFFD', '\uD800', '\u2028', 'é', '1e999', '-', ' ', '\\'),
  fc.string({ unit: 'binary', maxLength: 4 }),
);

type Mutation = { kind: 'delete' | 'insert' | 'duplicate' | 'truncate' | 'swap' | 'flip'; at: number; length: number; text: string };

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'insert', 'duplicate', 'truncate', 'swap', 'flip'),
  at: fc.nat(),
  length: fc.integer({ min: 1, max: 12 }),
  text: splice,
});

/** Applies mutations to a string at positions taken modulo its length. */
export function mutate(s: string, mutations: readonly Mutation[]): string {
  for (const m of mutations) {
    const at = s.length ? m.at % (s.length + 1) : 0;
    switch (m.kind) {
      case 'delete':
        s = s.slice(0, at) + s.slice(at + m.length);
        break;
      case 'insert':
        s = s.slice(0, at) + m.text + s.slice(at);
        break;
      case 'duplicate':
        s = s.slice(0, at + m.length) + s.slice(at, at + m.length) + s.slice(at + m.length);
        break;
      case 'truncate':
        s = s.slice(0, at);
        break;
      case 'flip': // one bit of a character's code
        if (at < s.length) s = s.slice(0, at) + String.fromCharCode(s.charCodeAt(at) ^ (1 << (m.length % 8))) + s.slice(at + 1);
        break;
      case 'swap': {
        const other = s.length ? (at * 7 + m.length) % s.length : 0;
        if (at < s.length && other !== at) {
          const [i, j] = at < other ? [at, other] : [other, at];
          s = s.slice(0, i) + s[j] + s.slice(i + 1, j) + s[i] + s.slice(j + 1);
        }
        break;
      }
    }
  }
  return s;
}

/** Random bytes read as text the ways a file might be: UTF-8, Latin-1, UTF-16. */
const bytesAsTextArb = fc.record({ bytes: fc.uint8Array({ maxLength: 200 }), encoding: fc.constantFrom('utf-8', 'latin1', 'utf-16le', 'utf-16be') }).map(({ bytes, encoding }) => new TextDecoder(encoding).decode(bytes));

/** A valid file re-encoded badly: UTF-16 read as UTF-8, UTF-8 read as Latin-1, with NUL bytes between characters. */
const oddEncodingArb = fc.record({ csv: validCsvArb, how: fc.constantFrom('utf16-as-utf8', 'utf8-as-latin1', 'nul-padded') }).map(({ csv, how }) => {
  if (how === 'nul-padded') return [...csv].join('\u0000');
  const bytes = how === 'utf16-as-utf8' ? new Uint8Array(Uint16Array.from(csv, (ch) => ch.charCodeAt(0)).buffer) : new TextEncoder().encode(csv);
  return new TextDecoder(how === 'utf16-as-utf8' ? 'utf-8' : 'latin1').decode(bytes);
});

/** CSV inputs: valid files, mutated ones, random bytes and odd encodings. */
export const csvTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: validCsvArb },
  { weight: 4, arbitrary: fc.tuple(validCsvArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 })).map(([s, ms]) => mutate(s, ms)) },
  { weight: 2, arbitrary: bytesAsTextArb },
  { weight: 1, arbitrary: oddEncodingArb },
);

/** Mostly the defaults; sometimes a target by name, a task or a delimiter given. */
const datasetOptionsArb: fc.Arbitrary<DatasetOptions & { delimiter?: string }> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({}) },
  {
    weight: 1,
    arbitrary: fc.record(
      { target: fc.constantFrom('x', 'label', 'col0', 'nope'), task: fc.constantFrom('auto', 'classification', 'regression'), delimiter: fc.constantFrom(',', ';', '\t', '|') },
      { requiredKeys: [] },
    ),
  },
);

export const csvCaseArb = fc.tuple(csvTextArb, datasetOptionsArb, fc.constantFrom(...SCALING_NAMES));

/**
 * CSV text → table → data set → scaled as for training (and read again as for a trained
 * model): either data whose shapes match the table and whose numbers are all finite, or a
 * BackpropError.
 */
export function checkCsv([text, o, scale]: [string, DatasetOptions & { delimiter?: string }, ScalingName]): boolean {
  return loadsOrRefuses(() => {
    const table = parseCsv(text, 'fuzz.csv', o.delimiter ? { delimiter: o.delimiter } : {});
    assert.ok(table.header.length >= 1);
    assert.equal(table.rows.length, table.lines.length);
    for (const r of table.rows) assert.equal(r.length, table.header.length);
    const d = datasetFromTable(table, { target: o.target, task: o.task });
    assert.equal(d.X.rows, table.rows.length);
    assert.equal(d.X.cols, table.header.length - 1);
    assert.equal(d.Y.rows, table.rows.length);
    assert.ok(d.X.data.every(Number.isFinite), 'finite features');
    assert.ok(d.Y.data.every(Number.isFinite), 'finite targets');
    if (d.schema.kind === 'classification') {
      assert.ok(d.schema.classes!.length >= 2);
      assert.ok(d.labels!.every((k) => k >= 0 && k < d.schema.classes!.length));
    }
    // Scaled as trainModel scales it: the features, and a regression's target.
    const scaler = fitScaler(d.X, scale, d.schema.features);
    assert.ok([...scaler.shift, ...scaler.scale].every(Number.isFinite), 'a scaling a model file can hold');
    assert.ok(applyScaler(scaler, d.X).data.every(Number.isFinite), 'finite scaled features');
    if (d.schema.kind === 'regression') assert.ok(applyScaler(fitScaler(d.Y, 'standard', [d.schema.target]), d.Y).data.every(Number.isFinite));
    // The same table read for a model of this schema (predict and evaluate take this path).
    const again = datasetForSchema(table, d.schema, true);
    assert.deepEqual(again.X.data, d.X.data);
  }, `CSV ${JSON.stringify(text.slice(0, 300))} with ${JSON.stringify(o)}, ${scale} scaling`);
}

// ---------------------------------------------------------------------------------------------
// Model files

/** Valid model files: random networks (any activations, with and without biases) and scalings. */
const validModelArb = weightCases({ inputs: 4, units: 5, layers: 3, rows: 2, ranges: [1] }).chain((w) =>
  fc.tuple(fc.constant(w), scalingArb(w.c.inputs), scalingArb(w.c.layers[w.c.layers.length - 1].units)).map(([w, features, target]) => ({
    text: modelFileToText(modelFileFor(networkOf(w), features, target)),
    X: w.X,
  })),
);

/** A trained model's file (the training section as trainModel writes it). */
let trainedText: string | undefined;
function trainedModelText(): string {
  trainedText ??= trainModel(parseCsv('a,b,c,y\n0,0,1,x\n0,1,0,y\n1,0,0,y\n1,1,1,x\n0,0,0,x\n1,1,0,y\n', 'tiny.csv'), { epochs: 3, seed: 2 }).model.toText();
  return trainedText;
}

/** Huge arrays, made once (an edit puts a copy in place). */
const HUGE = [Array.from({ length: 100_000 }, (_, i) => (i % 7) / 7), Array.from({ length: 5_000 }, () => [0.5, -0.5])];

/** Values that do not belong: wrong types, NaN-like strings, huge and odd numbers, huge arrays. */
const oddValueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 2, -0, 1e308, -1e308, 2 ** 53 + 1, 4e9, 1e9, 'NaN', 'Infinity', '-Infinity', '1e999', '', '1', 'backprop-model', 'tanh', 'softmax', 'full') },
  { weight: 3, arbitrary: fc.constantFrom([], {}, [[]], [null], [1, 2, 3], { units: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(...HUGE) },
  { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 2, arbitrary: fc.double() },
);

type JsonPath = (string | number)[];

/** The paths to the values in a JSON document (of a long array, the first few elements' and the last's). */
function pathsOf(v: unknown, at: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => (i < 20 || i === v.length - 1) && pathsOf(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) pathsOf((v as Record<string, unknown>)[k], [...at, k], out);
  return out;
}

type Edit = { kind: 'delete' | 'replace' | 'duplicate' | 'version' | 'number'; pick: number; other: number; value: unknown; number: number };

const editArb: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('delete', 'replace', 'replace', 'duplicate', 'version', 'number', 'number'),
  pick: fc.nat(),
  other: fc.nat(),
  value: oddValueArb,
  number: fc.oneof(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double()),
});

/**
 * Structural edits of the parsed JSON: delete a field, give it an odd value or another number,
 * copy another field's value over it, swap the version.
 */
function edit(text: string, edits: readonly Edit[], pretty: boolean): string {
  const doc = JSON.parse(text) as Record<string, unknown>;
  for (const e of edits) {
    if (e.kind === 'version') {
      doc.version = [0, 2, '1', 1.5, -1, null, 1e308, '2'][e.pick % 8];
      continue;
    }
    const at = (p: JsonPath) => p.reduce<any>((o, k) => o?.[k], doc);
    const paths = pathsOf(doc).filter((p) => p.length > 0 && (e.kind !== 'number' || typeof at(p) === 'number'));
    if (paths.length === 0) continue;
    const path = paths[e.pick % paths.length];
    const parent = path.slice(0, -1).reduce<any>((o, k) => o[k], doc);
    const key = path[path.length - 1];
    if (e.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (e.kind === 'replace') {
      parent[key] = structuredClone(e.value);
    } else if (e.kind === 'number') {
      parent[key] = e.number;
    } else {
      parent[key] = structuredClone(at(paths[e.other % paths.length]));
    }
  }
  return JSON.stringify(doc, null, pretty ? 2 : undefined);
}

/** Model file texts: valid, edited field by field, mutated as text (truncated, bytes flipped, …). */
export const modelCaseArb = fc.record({
  base: fc.oneof({ weight: 4, arbitrary: validModelArb }, { weight: 1, arbitrary: fc.constant(null) }),
  edits: fc.array(editArb, { maxLength: 3 }),
  mutations: fc.array(mutationArb, { maxLength: 2 }),
  textFirst: fc.boolean(),
  pretty: fc.boolean(),
});

export type ModelCase = typeof modelCaseArb extends fc.Arbitrary<infer T> ? T : never;

/**
 * Model file text → parseModelFile → networkFromModelFile → predict: either a model that
 * predicts (and saves again to a file that loads the same), or a BackpropError.
 */
export function checkModelFile(c: ModelCase): boolean {
  const base = c.base?.text ?? trainedModelText();
  let text: string;
  try {
    text = c.textFirst ? mutate(base, c.mutations) : mutate(c.edits.length ? edit(base, c.edits, c.pretty) : base, c.mutations);
    if (c.textFirst && c.edits.length) text = edit(text, c.edits, c.pretty);
  } catch {
    // a text mutation left JSON that cannot be edited structurally: load the mutated text as it is
    text = mutate(base, c.mutations);
  }
  return loadsOrRefuses(() => {
    const file = parseModelFile(text, 'fuzz.json');
    const net = networkFromModelFile(file, 'fuzz.json');
    const rows = c.base && c.base.X[0]?.length === net.inputs ? c.base.X : [Array.from({ length: net.inputs }, (_, j) => j - 1)];
    const out = net.predict(rows);
    assert.equal(out.length, rows.length);
    for (const r of out) assert.equal(r.length, net.outputs);
    const model = new Model(file, net);
    const again = Model.parse(model.toText(), 'saved again');
    assert.deepEqual(again.network.predict(rows), out);
  }, `model file ${JSON.stringify(text.slice(0, 400))}`);
}
