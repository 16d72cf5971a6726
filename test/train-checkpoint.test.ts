// trainModel's checkpoints (src/io/train-checkpoint.ts): saved as JSON text, read back and
// resumed, a run ends with the model file an uninterrupted run writes; other data, settings or a
// damaged checkpoint are refused with a BackpropError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BackpropError,
  parseCsv,
  parseTrainCheckpoint,
  trainModel,
  type CsvTable,
  type TrainCheckpoint,
  type TrainModelOptions,
} from '../src/index.js';

/** Three noisy classes, 90 rows: 72 train and 18 test rows, 7 of the 72 for validation. */
function table(): CsvTable {
  const rows = ['x1,x2,x3,label'];
  for (let i = 0; i < 90; i++) {
    const k = i % 3;
    rows.push(`${k + 0.6 * Math.sin(i * 1.3)},${Math.cos(i) - k},${(i * 37) % 11},c${k}`);
  }
  return parseCsv(rows.join('\n'), 'three.csv');
}

const options: TrainModelOptions = { epochs: 9, batchSize: 10, validationSplit: 0.1, earlyStop: 20, layers: [5, 4], seed: 3 };
/** The model file without the timings, which differ from run to run (and the checksum of the section holding them). */
const file = (text: string) => {
  const f = JSON.parse(text);
  delete f.training.history.seconds;
  delete f.training.metrics.seconds;
  delete f.checksum.training;
  return f;
};

for (const stopAfter of [1, 7, 8, 23, 62]) {
  test(`stopped after ${stopAfter} batches, saved as text and resumed: the model file of the uninterrupted run`, () => {
    const t = table();
    const whole = file(trainModel(t, options).model.toText());
    let saved = '';
    let batches = 0;
    const first = trainModel(t, {
      ...options,
      checkpoint: { everyEpochs: 100, save: (c) => void (saved = JSON.stringify(c)) },
      shouldStop: () => ++batches === stopAfter,
    });
    assert.equal(first.history.stopReason, 'interrupted');
    const c = parseTrainCheckpoint(saved, 'checkpoint.json');
    assert.equal(c.testLoss.length, c.fit.history.epochs);
    const resumed = trainModel(t, { ...options, resume: c });
    assert.deepEqual(file(resumed.model.toText()), whole);
  });
}

test('periodic checkpoints: resuming from any of them gives the same model, with more epochs the longer run', () => {
  const t = table();
  const saved: string[] = [];
  trainModel(t, { ...options, checkpoint: { everyBatches: 5, everyEpochs: 2, save: (c) => void saved.push(JSON.stringify(c)) } });
  assert.ok(saved.length > 10, `${saved.length} checkpoints`);
  const whole = file(trainModel(t, options).model.toText());
  const longer = file(trainModel(t, { ...options, epochs: 12 }).model.toText());
  for (const s of [saved[0], saved[5], saved[saved.length - 1]]) {
    assert.deepEqual(file(trainModel(t, { ...options, resume: parseTrainCheckpoint(s) }).model.toText()), whole);
    assert.deepEqual(file(trainModel(t, { ...options, epochs: 12, resume: parseTrainCheckpoint(s) }).model.toText()), longer);
  }
});

test('other data, other settings, fewer epochs and damaged checkpoints are refused', () => {
  const t = table();
  let c: TrainCheckpoint | undefined;
  trainModel(t, { ...options, checkpoint: { everyBatches: 12, save: (x) => void (c ??= JSON.parse(JSON.stringify(x))) } });
  const refused = (o: TrainModelOptions, message: RegExp, data = t) =>
    assert.throws(() => trainModel(data, { ...options, ...o }), (e: unknown) => e instanceof BackpropError && message.test(e.message));
  const other = parseCsv(t.header.join(',') + '\n' + t.rows.map((r, i) => (i === 40 ? [...r.slice(0, 3), 'c0'] : r).join(',')).join('\n'), 'other.csv');
  refused({ resume: c }, /other\.csv is not the data the checkpoint was made with \(three\.csv: 90 rows/, other);
  refused({ resume: c, learningRate: 0.02 }, /other settings: learningRate 0\.02 \(the checkpoint's: 0\.01\)/);
  refused({ resume: c, layers: [5], settingNames: { layers: '--layers' } }, /--layers 5 \(the checkpoint's: 5,4\)/);
  refused({ resume: c, epochs: 1 }, /the checkpoint has already trained 1 epoch and part of epoch 2: epochs 1 is fewer/);
  const damaged = (edit: (x: TrainCheckpoint) => void, message: RegExp) => {
    const copy = JSON.parse(JSON.stringify(c)) as TrainCheckpoint;
    edit(copy);
    refused({ resume: copy }, message);
  };
  damaged((x) => (x.fit.order[3] = x.fit.order[4]), /its row order is not an order of the 65 training rows/);
  damaged((x) => x.fit.order.pop(), /its row order is not an order of the 65 training rows/);
  damaged((x) => (x.fit.validationRows![0] = 999), /its validation rows are not among the 72 rows/);
  damaged((x) => delete x.fit.validationRows, /it does not say which rows it held out for validation/);
  damaged((x) => (x.fit.batch = 7), /batch 7 is past the end of the epoch/);
  damaged((x) => x.fit.optimizer.slots[0][1].pop(), /the adam optimizer's state does not match/);
  damaged((x) => x.fit.params[0].pop(), /another shape/);

  const text = JSON.stringify(c);
  for (const [bad, message] of [
    [text.slice(0, 100), /not valid JSON/],
    ['[1,2]', /not a backprop training checkpoint: field format is undefined/],
    [text.replace('"rng":[', '"rng":[1.5,'), /damaged or was edited: field fit\.rng\[0\]: expected a whole number ≥ -2147483648 and ≤ 4294967295, got number 1\.5$/],
    [text.replace('"rng":[', '"rng":[7,'), /damaged or was edited: field fit\.rng: expected 4 numbers, got an array of 5$/],
    [text.replace('"epochs":9', '"epochs":-9'), /damaged or was edited: field settings\.epochs: expected a whole number > 0, got number -9$/],
    [text.replace('"version":1', '"version":2'), /damaged or was edited: field version: expected 1, got number 2$/],
    [text.replace(/"batchSize":[^,]*/, '"batchSize":"half"'), /field settings\.batchSize: expected "full" or a whole number > 0, got string "half"$/],
    [text.replace(/"testLoss":\[[^\]]*\],/, ''), /field testLoss: expected an array, got nothing \(the field is missing\)$/],
    [text.replace(/"order":\[[^\]]*\]/, '"order":{}'), /field fit\.order: expected an array, got an object$/],
  ] as const) {
    assert.throws(() => parseTrainCheckpoint(bad, 'ck.json'), (e: unknown) => e instanceof BackpropError && /^ck\.json/.test(e.message) && message.test(e.message));
  }
  // fields not in the format are dropped; the others come back in the format's order
  const reversed = (o: object) => Object.fromEntries(Object.entries(o).reverse());
  const extra = parseTrainCheckpoint(JSON.stringify(reversed({ note: 'mine', ...c, fit: reversed({ ...c!.fit, extra: 1 }) })), 'ck.json');
  assert.equal(JSON.stringify(extra), JSON.stringify(parseTrainCheckpoint(text, 'ck.json')));
  assert.ok(!('note' in extra) && !('extra' in extra.fit));
});
