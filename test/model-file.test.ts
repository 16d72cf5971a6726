// The versioned model file: round trips, reproduced figures, and refusal of damaged, edited or
// newer files with a message that names the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { BackpropError, Model, MODEL_FORMAT, MODEL_VERSION, modelFileToText, parseCsv, parseModelFile, trainModel } from '../src/index.js';

const iris = parseCsv(readFileSync('data/iris.csv', 'utf8'), 'iris.csv');
const trained = trainModel(iris, { epochs: 30, seed: 3 });
const text = trained.model.toText();

function throwsWith(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof BackpropError, `expected a BackpropError, got ${String(err)}`);
    for (const p of patterns) assert.match(err.message, p);
    return true;
  });
}

/** The saved file with one change made by `edit`. */
function edited(edit: (m: any) => void): string {
  const m = JSON.parse(text);
  edit(m);
  return JSON.stringify(m);
}

test('a saved model loads back with the same predictions, bit for bit', () => {
  const file = parseModelFile(text, 'm.json');
  assert.equal(file.format, MODEL_FORMAT);
  assert.equal(file.version, MODEL_VERSION);
  assert.deepEqual(file.data.classes, ['setosa', 'versicolor', 'virginica']);
  assert.equal(file.training.seed, 3);
  assert.equal(file.training.history.loss.length, 30);
  const loaded = Model.parse(text, 'm.json');
  assert.deepEqual(loaded.predict(iris), trained.model.predict(iris));
  // Saving the loaded model gives the same text.
  assert.equal(loaded.toText(), text);
});

test('the same seed and options give the same model file, except for the time taken', () => {
  const again = trainModel(iris, { epochs: 30, seed: 3 }).model.toText();
  // the time taken, and the checksum of the training section that holds it
  const strip = (t: string) => t.replace(/"seconds": [\d.e+-]+/g, '"seconds": 0').replace(/"training": "[0-9a-f]{16}"/, '"training": ""');
  assert.equal(strip(again), strip(text));
  assert.notEqual(strip(trainModel(iris, { epochs: 30, seed: 4 }).model.toText()), strip(text));
});

test('the saved figures are reproduced by evaluating the saved model on the same rows', () => {
  const m = Model.parse(text, 'm.json');
  const test = m.evaluate(iris, 'test');
  const metrics = m.file.training.metrics;
  assert.equal(test.rows, 30);
  assert.equal(test.loss, metrics.testLoss);
  assert.equal(test.accuracy, metrics.testAccuracy);
  assert.equal(m.evaluate(iris, 'train').loss, metrics.trainLoss);
  // The split is only known for the training file itself.
  const other = parseCsv(readFileSync('data/iris.csv', 'utf8').replace('5.1,3.5', '5.2,3.5'), 'other.csv');
  throwsWith(() => m.evaluate(other, 'test'), /other\.csv is not the file the model was trained on/);
  assert.equal(m.evaluate(other, 'all').rows, 150);
});

test('a regression model stores the target scaling and predicts in the target units', () => {
  const rows = Array.from({ length: 60 }, (_, i) => {
    const a = (i % 10) / 3;
    const b = Math.floor(i / 10);
    return `${a},${b},${(1000 + 250 * a - 40 * b).toFixed(3)}`;
  });
  const table = parseCsv(['a,b,price', ...rows].join('\n'), 'prices.csv');
  const r = trainModel(table, { epochs: 200, seed: 1 });
  assert.equal(r.model.file.data.kind, 'regression');
  assert.ok(r.model.file.preprocessing.target);
  const m = Model.parse(r.model.toText(), 'prices.json');
  const e = m.evaluate(table);
  assert.ok(e.r2! > 0.99, `R² ${e.r2}`);
  assert.ok(e.rmse! < 25, `RMSE ${e.rmse}`);
  const p = m.predict(table).predicted as number[];
  assert.ok(Math.abs(p[0] - 1000) < 60, `predicted ${p[0]} for 1000`);
});

test('a truncated file is refused as damaged, never with another kind of error', () => {
  throwsWith(() => parseModelFile(text.slice(0, text.length / 2), 'm.json'), /m\.json is not valid JSON/, /truncated or damaged/);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: text.length - 2 }), (cut) => {
      const part = text.slice(0, cut);
      assert.throws(() => parseModelFile(part, 'm.json'), BackpropError);
    }),
    { numRuns: 150 },
  );
});

test('edited fields are refused with the name of the field', () => {
  const cases: [(m: any) => void, RegExp][] = [
    [(m) => (m.network.layers[0].activation = 'banana'), /field network\.layers\[0\]\.activation: expected one of sigmoid, .*, got string "banana"/],
    [(m) => (m.network.layers[0].weights[1][2] = 'x'), /field network\.layers\[0\]\.weights\[1\]\[2\]: expected a number, got string "x"/],
    [(m) => m.network.layers[0].weights.pop(), /field network\.layers\[0\]\.weights: has 3 rows, expected 4/],
    [(m) => m.network.layers[1].weights[0].pop(), /field network\.layers\[1\]\.weights\[0\]: has 2 values, expected 3/],
    [(m) => m.network.layers[0].biases.pop(), /field network\.layers\[0\]\.biases/],
    [(m) => (m.network.loss = 'hinge'), /field network\.loss: expected one of .*, got string "hinge"/],
    [(m) => (m.network.layers[1].activation = 'linear'), /field network: the cross-entropy loss needs a softmax output/],
    [(m) => m.data.classes.pop(), /field network\.layers\[1\]\.units: is 3, but data\.classes names 2 classes/],
    [(m) => m.data.features.pop(), /field network\.inputs: is 4, but data\.features names 3 columns/],
    [(m) => (m.preprocessing.features.scale[0] = 0), /field preprocessing\.features\.scale\[0\]: expected a number > 0, got number 0/],
    [(m) => m.preprocessing.features.shift.pop(), /field preprocessing\.features\.shift: has 3 values, expected 4/],
    [(m) => delete m.preprocessing, /field preprocessing: expected an object, got nothing \(the field is missing\)/],
    [(m) => (m.training.batchSize = 0), /field training\.batchSize: expected "full" or a whole number > 0, got number 0/],
    [(m) => (m.training.batchSize = 2.5), /field training\.batchSize: expected "full" or a whole number > 0, got number 2\.5/],
    [(m) => (m.training.metrics = [1]), /field training\.metrics: expected an object, got an array of 1/],
    [(m) => (m.network.layers = []), /field network\.layers: expected at least 1 layer, got an array of 0/],
    [(m) => (m.data.classes = ['a']), /field data\.classes: expected at least 2 classes, got an array of 1/],
    [(m) => (m.training.testRows[0] = 1000), /field training\.testRows\[0\]: is 1000, but the data has 150 rows/],
    [(m) => (m.version = '1'), /field version/],
  ];
  for (const [edit, pattern] of cases) throwsWith(() => parseModelFile(edited(edit), 'm.json'), /^m\.json/, pattern);
});

test('several problems are listed, the first three by field, and fields not in the format are dropped', () => {
  throwsWith(
    () =>
      parseModelFile(
        edited((m) => {
          m.network.inputs = 4.5;
          m.network.layers[0].bias = 'yes';
          m.data.rows = -1;
          m.training.stratified = null;
          m.training.testRows = {};
        }),
        'm.json',
      ),
    /field network\.inputs: expected a whole number > 0, got number 4\.5; field network\.layers\[0\]\.bias: expected true or false, got string "yes"; field data\.rows: .*, got number -1 \(and 2 more\)$/,
  );
  const extra = parseModelFile(edited((m) => ((m.comment = 'mine'), (m.network.layers[0].note = 1))), 'm.json');
  assert.equal(modelFileToText(extra), text);
  assert.ok(!('comment' in extra) && !('note' in extra.network.layers[0]));
});

test('a newer format version, another format or not an object is refused', () => {
  throwsWith(() => parseModelFile(edited((m) => (m.version = 2)), 'm.json'), /field version is 2/, /newer than this backprop reads \(version 1\)/);
  throwsWith(() => parseModelFile(edited((m) => (m.format = 'keras')), 'm.json'), /not a backprop model file: field format is "keras"/);
  throwsWith(() => parseModelFile('[1, 2]', 'm.json'), /not a backprop model file/);
  throwsWith(() => parseModelFile('null', 'm.json'), /not a backprop model file/);
  throwsWith(() => parseModelFile('', 'm.json'), /not valid JSON/);
});

test('random edits to the weights and numbers either load or are refused with a BackpropError', () => {
  const paths = ['network.layers.0.weights.0.0', 'network.inputs', 'network.layers.1.units', 'data.rows', 'training.epochs'];
  fc.assert(
    fc.property(
      fc.constantFrom(...paths),
      fc.oneof(fc.double(), fc.string(), fc.constant(null), fc.integer({ min: -3, max: 200 }), fc.boolean()),
      (path, value) => {
        const m = JSON.parse(text);
        const keys = path.split('.');
        let o = m;
        for (const k of keys.slice(0, -1)) o = o[k];
        o[keys[keys.length - 1]] = value;
        try {
          const f = parseModelFile(JSON.stringify(m), 'm.json');
          // What loads must be usable.
          new Model(f).predict(iris);
        } catch (err) {
          assert.ok(err instanceof BackpropError, `expected a BackpropError, got ${String(err)}`);
        }
      },
    ),
    { numRuns: 150 },
  );
});

test('modelFileToText refuses to write a file that would not load', () => {
  const f = parseModelFile(text, 'm.json');
  throwsWith(() => modelFileToText({ ...f, data: { ...f.data, classes: ['a', 'b'] } }), /the model being saved/);
});

test('regularisation is kept in the model file when used; a file without it (older, or none used) loads as 0', () => {
  assert.equal(parseModelFile(text, 'm.json').training.l1, undefined);
  assert.ok(!text.includes('"l1"') && !text.includes('"l2"'), 'a run without regularisation writes the file as before');
  const reg = trainModel(iris, { epochs: 5, seed: 3, l1: 0.001, l2: 0.01 });
  const file = parseModelFile(reg.model.toText(), 'reg.json');
  assert.equal(file.training.l1, 0.001);
  assert.equal(file.training.l2, 0.01);
  assert.deepEqual(Model.parse(reg.model.toText(), 'reg.json').predict(iris), reg.model.predict(iris));
  throwsWith(() => parseModelFile(edited((m) => (m.training.l2 = -1)), 'm.json'), /field training\.l2: expected a number ≥ 0, got number -1/);
  throwsWith(() => trainModel(iris, { epochs: 1, l2: -0.5 }), /^l2 must be a number ≥ 0/);
});
