// CSV parsing and turning a table into X and Y: delimiters, quoting, row numbers in messages,
// target kinds and every kind of bad cell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { BackpropError, datasetForSchema, datasetFromTable, detectDelimiter, parseCsv } from '../src/index.js';

/** Asserts that fn throws a BackpropError whose message matches every pattern. */
function throwsWith(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof BackpropError, `expected a BackpropError, got ${String(err)}`);
    for (const p of patterns) assert.match(err.message, p);
    return true;
  });
}

test('comma, semicolon and tab delimiters are detected', () => {
  for (const d of [',', ';', '\t']) {
    const t = parseCsv(['a', 'b', 'c'].join(d) + '\n' + ['1', '2', 'x'].join(d) + '\n', 'f.csv');
    assert.equal(t.delimiter, d);
    assert.deepEqual(t.header, ['a', 'b', 'c']);
    assert.deepEqual(t.rows, [['1', '2', 'x']]);
  }
});

test('a semicolon file with decimal commas reads the commas as decimal points', () => {
  const t = parseCsv('x;y;label\n1,5;-2,25;a\n3;4;b\n', 'eu.csv');
  assert.equal(t.delimiter, ';');
  const d = datasetFromTable(t);
  assert.deepEqual(Array.from(d.X.data), [1.5, -2.25, 3, 4]);
});

test('quoted fields keep their commas, quotes and line breaks; row numbers follow the file', () => {
  const text = '\uFEFFname,"x, first",label\r\n"a ""quoted"" one",1,"yes, really"\r\n\r\n"two\nlines",2,no\r\n';
  const t = parseCsv(text, 'q.csv');
  assert.equal(t.delimiter, ',');
  assert.deepEqual(t.header, ['name', 'x, first', 'label']);
  assert.deepEqual(t.rows[0], ['a "quoted" one', '1', 'yes, really']);
  assert.deepEqual(t.rows[1], ['two\nlines', '2', 'no']);
  assert.deepEqual(t.lines, [2, 5]);
});

test('detectDelimiter prefers the delimiter that splits every row evenly', () => {
  // Commas appear inside the values but only semicolons split each row into the same count.
  assert.equal(detectDelimiter('a;b\n1,5;2\n3;4,5,6\n'), ';');
  assert.equal(detectDelimiter('"a;b",c\n"1;2",3\n'), ',');
});

test('random numeric tables survive writing with any delimiter and quoting', () => {
  const cell = fc.double({ min: -1e6, max: 1e6, noNaN: true });
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 5 }),
      fc.array(fc.array(cell, { minLength: 5, maxLength: 5 }), { minLength: 1, maxLength: 8 }),
      fc.constantFrom(',', ';', '\t'),
      fc.boolean(),
      (cols, rows, d, quote) => {
        const q = (s: string) => (quote ? `"${s}"` : s);
        const header = Array.from({ length: cols }, (_, j) => q(`c${j}`)).join(d);
        const body = rows.map((r) => r.slice(0, cols).map((v) => q(String(v))).join(d));
        const t = parseCsv([header, ...body].join('\n'), 'gen.csv');
        assert.equal(t.delimiter, d);
        const data = datasetFromTable(t, { task: 'regression' });
        const expected = rows.flatMap((r) => r.slice(0, cols - 1));
        assert.deepEqual(Array.from(data.X.data), expected.map((v) => (Object.is(v, -0) ? 0 : v)).map(Number));
      },
    ),
    { numRuns: 60 },
  );
});

test('an empty file, a header without rows, a ragged row, a duplicate column and a broken quote are refused', () => {
  throwsWith(() => parseCsv('', 'e.csv'), /e\.csv is empty/);
  throwsWith(() => parseCsv(' \n\n', 'e.csv'), /e\.csv is empty/);
  throwsWith(() => parseCsv('a,b,y\n', 'h.csv'), /h\.csv has a header row but no data rows/);
  throwsWith(() => parseCsv('a,b,y\n1,2,x\n\n3,4\n', 'r.csv'), /r\.csv row 4 has 2 values, expected 3/);
  throwsWith(() => parseCsv('a,b,y\n1,2,x,9\n', 'r.csv'), /r\.csv row 2 has 4 values, expected 3/, /quote fields/);
  throwsWith(() => parseCsv('a,b,a\n1,2,3\n', 'd.csv'), /d\.csv row 1/, /column 1 and column 3 both 'a'/);
  throwsWith(() => parseCsv('a,b\n1,"2\n', 'q.csv'), /q\.csv row 2/, /never closed/);
  throwsWith(() => parseCsv('a,b\n1,"2"x\n', 'q.csv'), /q\.csv row 2/, /closing quote/);
  // A file without a header row: its first row of data is not taken for column names.
  throwsWith(() => parseCsv('5.1,3.5,1.4,0.2,Iris-setosa\n4.9,3.0,1.4,0.2,Iris-setosa\n', 'iris.data'), /iris\.data row 1 looks like data, not a header \(4 of its 5 names are numbers\)/);
});

test('bad feature cells are named by file, row and column', () => {
  const table = (cell: string) => parseCsv(`a,b,y\n1,2,x\n3,${cell},y\n5,6,y\n`, 'f.csv');
  const where = /f\.csv row 3, column 2 \('b'\)/;
  throwsWith(() => datasetFromTable(table('abc')), where, /expected a number, got 'abc'/);
  throwsWith(() => datasetFromTable(table('')), where, /empty/);
  throwsWith(() => datasetFromTable(table('""')), where, /empty/);
  for (const v of ['NaN', 'nan', 'Infinity', '-Infinity', 'inf']) throwsWith(() => datasetFromTable(table(v)), where, /not a finite number/);
  throwsWith(() => datasetFromTable(table('1e999')), where, /too large/);
  // A target cell left empty is named too.
  throwsWith(() => datasetFromTable(parseCsv('a,y\n1,x\n2,\n3,y\n', 'f.csv')), /f\.csv row 3, column 2 \('y'\)/, /empty/);
});

test('the target column: by name (any case), the last by default, unknown names refused', () => {
  const t = parseCsv('kind,a,b\nx,1,2\ny,3,4\nx,5,6\ny,7,8\n', 't.csv');
  const d = datasetFromTable(t, { target: 'KIND' });
  assert.equal(d.schema.target, 'kind');
  assert.deepEqual(d.schema.features, ['a', 'b']);
  assert.deepEqual(d.schema.classes, ['x', 'y']);
  assert.deepEqual(Array.from(d.Y.data), [1, 0, 0, 1, 1, 0, 0, 1]);
  assert.deepEqual(Array.from(d.labels!), [0, 1, 0, 1]);
  assert.equal(datasetFromTable(parseCsv('a,b\n1,2\n3,4\n', 'l.csv'), { task: 'regression' }).schema.target, 'b');
  throwsWith(() => datasetFromTable(t, { target: 'nope' }), /t\.csv has no column 'nope'/, /'kind', 'a', 'b'/);
  throwsWith(() => datasetFromTable(parseCsv('only\n1\n', 'one.csv')), /one\.csv has 1 column/);
});

test('a target with one class is refused', () => {
  throwsWith(() => datasetFromTable(parseCsv('a,y\n1,x\n2,x\n', 'c.csv')), /'y' of c\.csv has only one class \('x'\)/);
});

test('whole-number targets with few values are classes; other numbers are a regression', () => {
  const digits = datasetFromTable(parseCsv(readFileSync('data/digits.csv', 'utf8'), 'digits.csv'));
  assert.equal(digits.schema.kind, 'classification');
  assert.deepEqual(digits.schema.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.equal(digits.X.cols, 64);
  assert.equal(digits.X.rows, 1797);
  const xor = datasetFromTable(parseCsv(readFileSync('data/xor.csv', 'utf8'), 'xor.csv'));
  assert.equal(xor.schema.kind, 'classification');
  assert.deepEqual(xor.schema.classes, ['0', '1']);
  // "1.0" and "1" are the same class.
  assert.deepEqual(datasetFromTable(parseCsv('a,y\n1,1.0\n2,1\n3,2\n4,2\n', 'n.csv')).schema.classes, ['1', '2']);
  const reg = datasetFromTable(parseCsv('a,y\n1,0.5\n2,1.5\n3,2.5\n4,3.5\n', 'r.csv'));
  assert.equal(reg.schema.kind, 'regression');
  assert.deepEqual(Array.from(reg.Y.data), [0.5, 1.5, 2.5, 3.5]);
  // Mostly numbers with a stray word: a mistake, not a class.
  throwsWith(() => datasetFromTable(parseCsv('a,y\n1,0.5\n2,oops\n3,2.5\n4,3.5\n', 'r.csv')), /r\.csv row 3, column 2 \('y'\)/, /numeric/);
});

test('new data is matched to the training columns by name; extra or missing columns are refused', () => {
  const schema = { features: ['a', 'b'], target: 'y', kind: 'classification' as const, classes: ['x', 'z'] };
  const d = datasetForSchema(parseCsv('b,y,a\n2,z,1\n', 'n.csv'), schema, true);
  assert.deepEqual(Array.from(d.X.data), [1, 2]);
  assert.deepEqual(Array.from(d.Y!.data), [0, 1]);
  assert.equal(datasetForSchema(parseCsv('a,b\n1,2\n', 'n.csv'), schema, false).Y, undefined);
  throwsWith(() => datasetForSchema(parseCsv('a,b,c\n1,2,3\n', 'n.csv'), schema, false), /n\.csv has a column the model was not trained on: column 3 \('c'\)/);
  throwsWith(() => datasetForSchema(parseCsv('a,y\n1,x\n', 'n.csv'), schema, false), /n\.csv lacks the column 'b'/);
  throwsWith(() => datasetForSchema(parseCsv('a,b\n1,2\n', 'n.csv'), schema, true), /no target column 'y'/);
  throwsWith(() => datasetForSchema(parseCsv('a,b,y\n1,2,q\n', 'n.csv'), schema, true), /n\.csv row 2, column 3 \('y'\): class 'q' was not among/);
});

test('a quote starting in the middle of an unquoted field is refused with the row (found by fuzzing: it was an internal error)', () => {
  throwsWith(() => parseCsv('size,label\n12" pizza,a\n', 'menu.csv'), /^menu\.csv row 2: a quote starts in the middle of a field \(quote the whole field, and write a quote inside it as ""\)/);
  throwsWith(() => parseCsv('a\u0000,b\n\u0000"x,y\n', 'nul.csv'), /^nul\.csv row 2: a quote starts in the middle of a field/);
});

test('a cell with a line break is quoted and escaped in the message, which stays one line', () => {
  const table = parseCsv('a,label\n"x\ny",yes\n1,no\n', 'broken.csv');
  assert.throws(
    () => datasetFromTable(table),
    (e: BackpropError) => {
      assert.match(e.message, /expected a number, got "x\\ny"/);
      assert.ok(!e.message.includes('\n'), e.message);
      return true;
    },
  );
});
