// The streaming reader against the whole-text reader it replaced (test/oracle): the same data
// sets, bit for bit, and the same messages, for every CSV text of test/csv.test.ts and for
// generated and mutated texts cut into chunks at random places (inside quoted fields, between
// \r and \n, inside a character's UTF-8 bytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { BackpropError, CsvRecordReader, type DataSchema } from '../src/index.js';
import { fingerprintTable, readDataset, readForSchema, type CsvSource, type ReadOptions } from '../src/data/dataset.js';
import { parseCsv as wholeParseCsv } from './oracle/csv-whole.js';
import { datasetForSchema as wholeForSchema, datasetFromTable as wholeFromTable } from './oracle/dataset-whole.js';
import { csvTextArb } from './fuzz.js';

type Outcome = { error: string } | { data: unknown };

function outcome(f: () => unknown): Outcome {
  try {
    return { data: f() };
  } catch (err) {
    if (!(err instanceof BackpropError)) throw err;
    return { error: err.message };
  }
}

async function outcomeAsync(f: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { data: await f() };
  } catch (err) {
    if (!(err instanceof BackpropError)) throw err;
    return { error: err.message };
  }
}

/** What a data set is made of, as plain data to compare. */
function plain(d: { schema?: unknown; X: { rows: number; cols: number; data: ArrayLike<number> }; Y?: { rows: number; cols: number; data: ArrayLike<number> }; labels?: Int32Array; fingerprint?: string }) {
  const m = (x?: { rows: number; cols: number; data: ArrayLike<number> }) => x && { rows: x.rows, cols: x.cols, type: x.data.constructor.name, data: Array.from(x.data) };
  return { schema: d.schema, X: m(d.X), Y: m(d.Y), labels: d.labels && Array.from(d.labels), fingerprint: d.fingerprint };
}

function expectedTraining(text: string, o: ReadOptions): Outcome {
  return outcome(() => {
    const table = wholeParseCsv(text, 'f.csv', o.delimiter ? { delimiter: o.delimiter } : {});
    const d = wholeFromTable(table, { target: o.target, task: o.task });
    return plain({ schema: d.schema, X: d.X, Y: d.Y, labels: d.labels, fingerprint: fingerprintTable(table) });
  });
}

function expectedForSchema(text: string, schema: DataSchema, o: ReadOptions): Outcome {
  return outcome(() => {
    const table = wholeParseCsv(text, 'f.csv', o.delimiter ? { delimiter: o.delimiter } : {});
    const d = wholeForSchema(table, schema, true);
    return plain({ X: d.X, Y: d.Y, labels: d.labels, fingerprint: fingerprintTable(table) });
  });
}

/** The text cut at these places (each taken modulo the length), as a stream of UTF-8 bytes or of strings. */
function chunks(text: string, cuts: number[], bytes: boolean): CsvSource {
  const data: string | Uint8Array = bytes ? new TextEncoder().encode(text) : text;
  const at = [...new Set(cuts.map((c) => (data.length ? c % (data.length + 1) : 0)))].sort((a, b) => a - b);
  const parts = [0, ...at, data.length].slice(1).map((end, i, ends) => data.slice(i === 0 ? 0 : ends[i - 1], end));
  return (async function* () {
    for (const p of parts) yield p;
  })();
}

/** Cut places that favour the hard ones: right after a quote, between \r and \n, after a delimiter. */
function hardCuts(text: string, pick: number[]): number[] {
  const places: number[] = [];
  for (let i = 0; i < text.length; i++) if (/["\r,;\t]/.test(text[i])) places.push(i + 1);
  return places.length ? pick.map((k) => places[k % places.length]) : [];
}

async function sameAsWhole(text: string, o: ReadOptions, cuts: number[], bytes: boolean): Promise<void> {
  const want = expectedTraining(text, o);
  const got = await outcomeAsync(async () => {
    const d = await readDataset(chunks(text, cuts, bytes), 'f.csv', o);
    return plain(d);
  });
  assert.deepEqual(got, want, `training read of ${JSON.stringify(text.slice(0, 200))} cut at ${cuts} (${bytes ? 'bytes' : 'text'})`);
  if ('data' in want) {
    const schema = (want.data as { schema: DataSchema }).schema;
    const forSchema = await outcomeAsync(async () => {
      const d = await readForSchema(chunks(text, cuts, bytes), 'f.csv', schema, true, { delimiter: o.delimiter });
      return plain({ X: d.X, Y: d.Y, labels: d.labels, fingerprint: d.fingerprint });
    });
    assert.deepEqual(forSchema, expectedForSchema(text, schema, o));
  }
}

/** The CSV texts of test/csv.test.ts, with the options they are read with. */
const CASES: [string, ReadOptions][] = [
  ['a,b,c\n1,2,x\n', {}],
  ['a;b;c\n1;2;x\n', {}],
  ['a\tb\tc\n1\t2\tx\n', {}],
  ['x;y;label\n1,5;-2,25;a\n3;4;b\n', {}],
  ['\uFEFFname,"x, first",label\r\n"a ""quoted"" one",1,"yes, really"\r\n\r\n"two\nlines",2,no\r\n', { task: 'classification' }],
  ['a;b\n1,5;2\n3;4,5,6\n', {}],
  ['"a;b",c\n"1;2",3\n', {}],
  ['', {}],
  [' \n\n', {}],
  ['a,b,y\n', {}],
  ['a,b,y\n1,2,x\n\n3,4\n', {}],
  ['a,b,y\n1,2,x,9\n', {}],
  ['a,b,a\n1,2,3\n', {}],
  ['a,b\n1,"2\n', {}],
  ['a,b\n1,"2"x\n', {}],
  ['5.1,3.5,1.4,0.2,Iris-setosa\n4.9,3.0,1.4,0.2,Iris-setosa\n', {}],
  ...['abc', '', '""', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '1e999'].map((cell): [string, ReadOptions] => [`a,b,y\n1,2,x\n3,${cell},y\n5,6,y\n`, {}]),
  ['a,y\n1,x\n2,\n3,y\n', {}],
  ['kind,a,b\nx,1,2\ny,3,4\nx,5,6\ny,7,8\n', { target: 'KIND' }],
  ['kind,a,b\nx,1,2\ny,3,4\nx,5,6\ny,7,8\n', { target: 'nope' }],
  ['a,b\n1,2\n3,4\n', { task: 'regression' }],
  ['only\n1\n', {}],
  ['a,y\n1,x\n2,x\n', {}],
  ['a,y\n1,1.0\n2,1\n3,2\n4,2\n', {}],
  ['a,y\n1,0.5\n2,1.5\n3,2.5\n4,3.5\n', {}],
  ['a,y\n1,0.5\n2,oops\n3,2.5\n4,3.5\n', {}],
  ['size,label\n12" pizza,a\n', {}],
  ['a\u0000,b\n\u0000"x,y\n', {}],
  ['a,label\n"x\ny",yes\n1,no\n', {}],
  ['a,b,y\n1,2,x\n3,4,y\n', { delimiter: ';' }],
  // several problems at once: the message is the one the whole-text read gives first
  ['a,b,y\n1,z,x\n3,4\n5,6,"y\n', {}],
  ['a,b,y\n1,z,x\n3,4\n5,6,y\n', {}],
  ['a,b,a\n1,2\n', {}],
  ['a,y\n1,\nq,2\n3,1\n', { task: 'classification' }],
  ['a,y\nq,2\n3,x\n', { task: 'regression' }],
  // a quoted field with many line breaks across the end of the rows the delimiter is detected on
  ['a;b;y\n' + Array.from({ length: 45 }, (_, i) => `${i};1;x`).join('\n') + '\n46;"' + '\r\n'.repeat(80) + '";y\n47;1;x\n', {}],
  ['a;b;y\n' + Array.from({ length: 45 }, (_, i) => `${i};1;x`).join('\n') + '\n46;"1' + '\n'.repeat(80) + '";y\n47;1;x\n', { task: 'classification' }],
  [readFileSync('data/iris.csv', 'utf8'), {}],
  [readFileSync('data/xor.csv', 'utf8'), {}],
];

test('every CSV text of the tests: the same data set or message as the whole-text reader, read whole and in chunks', async () => {
  for (const [text, o] of CASES) {
    await sameAsWhole(text, o, [], false);
    await sameAsWhole(text, o, Array.from({ length: text.length }, (_, i) => i), false);
    await sameAsWhole(text, o, [3, 7, 11, 29], true);
    await sameAsWhole(text, o, hardCuts(text, [0, 1, 2, 5, 8]), true);
  }
});

test('the digits set (1,797 rows) read in 1 kB chunks is the data set the whole-text reader gives', async () => {
  const text = readFileSync('data/digits.csv', 'utf8');
  await sameAsWhole(text, {}, Array.from({ length: Math.floor(text.length / 1000) }, (_, i) => i * 1000 + 7), true);
});

test('generated and mutated CSV text cut into random chunks: the same data set or message as the whole-text reader', async () => {
  const options = fc.record(
    { target: fc.constantFrom('x', 'y', 'label', 'col0'), task: fc.constantFrom('auto', 'classification', 'regression') as fc.Arbitrary<ReadOptions['task']>, delimiter: fc.constantFrom(',', ';') },
    { requiredKeys: [] },
  );
  await fc.assert(
    fc.asyncProperty(csvTextArb, options, fc.array(fc.nat(), { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), async (text, o, cuts, hard, bytes) => {
      await sameAsWhole(text, o, [...cuts, ...hardCuts(text, hard)], bytes);
    }),
    { numRuns: 300 },
  );
});

test('the delimiter is detected on the first rows, before the rest of the file is read', () => {
  const rows: string[][] = [];
  const reader = new CsvRecordReader('long.csv', { onHeader: () => {}, onRow: (r) => void rows.push(r) });
  reader.write('a;b;y\n');
  for (let i = 0; i < 49; i++) reader.write(`${i};${i};x\n`);
  assert.equal(reader.delimiter, undefined, 'not decided on 50 lines while more may come');
  for (let i = 0; i < 100; i++) reader.write(`${i};${i};x\n`);
  assert.equal(reader.delimiter, ';', 'decided once the first rows are in, with no end yet');
  assert.ok(rows.length > 100, 'rows are handed on as they arrive');
  reader.write('1;2;y\n');
  assert.match(reader.end(), /^[0-9a-f]{8}$/);
  assert.equal(rows.length, 150);
});

test('a browser File or Blob, and a ReadableStream of bytes, read through the same code', async () => {
  const text = 'a,b,y\n1,2,x\n3,4,y\n5,6,x\n';
  const fromBlob = await readDataset(new Blob([text.slice(0, 9), text.slice(9)]), 'blob.csv');
  const bytes = new TextEncoder().encode(text);
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(bytes.slice(0, 5));
      c.enqueue(bytes.slice(5));
      c.close();
    },
  });
  const fromStream = await readDataset(stream, 'blob.csv');
  assert.deepEqual(plain(fromBlob), plain(fromStream));
  assert.deepEqual(Array.from(fromBlob.X.data), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(fromBlob.schema.classes, ['x', 'y']);
});

test('a float32 store holds the features in half the memory, each value rounded once', async () => {
  const d = await readDataset('a,b,y\n0.1,2,x\n3,4.7,y\n', 'f.csv', { store: 'float32' });
  assert.ok(d.X.data instanceof Float32Array);
  assert.deepEqual(Array.from(d.X.data), Array.from(Float32Array.from([0.1, 2, 3, 4.7])));
});

/** A cell as people's files hold numbers: signs, leading or trailing dots, many digits, exponents, -0. */
const numberCellArb = fc.oneof(
  fc.stringMatching(/^[+-]?\d{1,22}(\.\d{0,22})?$/),
  fc.stringMatching(/^[+-]?\.\d{1,20}$/),
  fc.stringMatching(/^-?\d{1,3}(\.\d{1,4})?[eE][+-]?\d{1,3}$/),
  fc.constantFrom('-0', '+0.0', '0.', '-.5', '9007199254740993', '123456789012345', '1234567890123456', '0.1', '-0.30000000000000004'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
);

test('a number read from the bytes of a plain row is the number parseNumber reads from its text, to the bit', async () => {
  const { ByteFields } = await import('../src/data/csv-fast.js');
  const { parseNumber } = await import('../src/data/csv.js');
  const f = new ByteFields();
  fc.assert(
    fc.property(fc.oneof(numberCellArb, fc.stringMatching(/^[0-9.eE+,-]{0,12}$/)), fc.constantFrom(',', ';'), (cell, delimiter) => {
      f.bytes = new TextEncoder().encode(`;${cell};`);
      f.starts[0] = 1;
      f.ends[0] = 1 + cell.length;
      f.length = 1;
      const got = f.number(0, delimiter);
      const want = parseNumber(cell, delimiter);
      assert.ok(Object.is(got, want) || got === want, `${JSON.stringify(cell)}: ${got} vs ${want}`);
    }),
    { numRuns: 3000 },
  );
});

test('past the first rows, plain lines are read without csv-parse: the same data set or message as the whole-text reader, however the bytes are cut', async () => {
  const plainRow = fc.tuple(numberCellArb, numberCellArb, fc.constantFrom('a', 'b', 'c', '1', '2')).map((cells) => cells.join(','));
  // rows after the first ones: plain, or anything the fuzzer makes (quotes, spaces, \r, other widths, bad cells, UTF-8)
  const laterRow = fc.oneof(
    { weight: 6, arbitrary: plainRow },
    { weight: 1, arbitrary: csvTextArb.map((t) => t.split(/\r?\n/)[1] ?? '') },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '1, 2,a', '"1",2,a', '1,2,"b"', '1,2', '1,2,a,4', '1,x,a', '1,2,é', '1,2,a\r', '\uFEFF1,2,a', '1;2;a', '1,2,"a\nb"', '1e5,2,a') },
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(plainRow, { minLength: 105, maxLength: 130 }),
      fc.array(laterRow, { maxLength: 60 }),
      fc.constantFrom('\n', '\r\n'),
      fc.boolean(),
      fc.array(fc.nat(), { maxLength: 10 }),
      async (first, later, eol, lastEol, cuts) => {
        const text = ['x,y,label', ...first, ...later].join(eol) + (lastEol ? eol : '');
        await sameAsWhole(text, {}, cuts, true);
      },
    ),
    { numRuns: 200 },
  );
});

test('a plain file of 20,000 rows read in 64 kB byte chunks: the data set the whole-text reader gives, and a bad cell late in it named by its row', async () => {
  const rows = Array.from({ length: 20_000 }, (_, i) => `${((i * 7919) % 20001) / 10000 - 1},${(i % 97) / 7},${'abc'[i % 3]}`);
  const text = ['x,y,label', ...rows].join('\n') + '\n';
  const cuts = Array.from({ length: Math.floor(text.length / 65536) }, (_, i) => (i + 1) * 65536);
  await sameAsWhole(text, {}, cuts, true);
  const bad = text.replace('\n' + rows[18_000] + '\n', `\n${rows[18_000].replace(/^[^,]*/, '0.5x')}\n`);
  const got = await outcomeAsync(() => readDataset(chunks(bad, cuts, true), 'f.csv', {}));
  assert.deepEqual(got, { error: "f.csv row 18002, column 1 ('x'): expected a number, got '0.5x': features must be numbers (encode categories as numbers first)" });
});
