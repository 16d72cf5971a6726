// Every kind of bad input gets one clear line on stderr naming the file, row, column or option,
// exit code 1, and leaves an existing model file untouched.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv, trainModel } from '../src/index.js';
import { backprop, root, tempDir } from './cli-run.js';

const dir = tempDir();
const existing = join(dir, 'existing.json');
const f = (name: string) => join(dir, name);

interface Case {
  name: string;
  args: string[];
  message: RegExp;
}

const files: Record<string, string> = {
  'empty.csv': '',
  'header.csv': 'a,b,y\n',
  'ragged.csv': 'a,b,y\n1,2,x\n3,4\n5,6,y\n',
  'nonnum.csv': 'a,b,y\n1,2,x\n3,abc,y\n5,6,y\n',
  'emptycell.csv': 'a,b,y\n1,2,x\n3,,y\n5,6,y\n',
  'nan.csv': 'a,b,y\n1,2,x\n3,NaN,y\n5,6,y\n',
  'inf.csv': 'a;b;y\n1;2;x\n3;-Infinity;y\n5;6;y\n',
  'oneclass.csv': 'a,b,y\n1,2,x\n3,4,x\n5,6,x\n',
  'more.csv': 'sepal_length,sepal_width,petal_length,petal_width,extra\n5.1,3.5,1.4,0.2,1\n',
  'fewer.csv': 'sepal_length,sepal_width,petal_length\n5.1,3.5,1.4\n',
  'numbers.csv': 'x,y\n1,0.5\n2,1.5\n3,2.25\n4,3.5\n5,4.75\n',
};

const train = (...args: string[]) => ['train', ...args, '--out', existing, '--quiet'];

const cases: Case[] = [
  { name: 'missing file', args: train(f('missing.csv')), message: /cannot read data file '.*missing\.csv': no such file/ },
  { name: 'empty file', args: train(f('empty.csv')), message: /empty\.csv is empty: expected a header row/ },
  { name: 'header only', args: train(f('header.csv')), message: /header\.csv has a header row but no data rows/ },
  { name: 'ragged row', args: train(f('ragged.csv')), message: /ragged\.csv row 3 has 2 values, expected 3/ },
  { name: 'non-numeric feature', args: train(f('nonnum.csv')), message: /nonnum\.csv row 3, column 2 \('b'\): expected a number, got 'abc'/ },
  { name: 'empty cell', args: train(f('emptycell.csv')), message: /emptycell\.csv row 3, column 2 \('b'\): the cell is empty/ },
  { name: 'NaN cell', args: train(f('nan.csv')), message: /nan\.csv row 3, column 2 \('b'\): 'NaN' is not a finite number/ },
  { name: 'Infinity cell', args: train(f('inf.csv')), message: /inf\.csv row 3, column 2 \('b'\): '-Infinity' is not a finite number/ },
  { name: 'unknown target column', args: train('iris', '--target', 'colour'), message: /iris\.csv has no column 'colour' for the target: its columns are 'sepal_length'/ },
  { name: 'a target with one class', args: train(f('oneclass.csv')), message: /target column 'y' of .*oneclass\.csv has only one class \('x'\)/ },
  { name: 'unknown dataset name', args: train('irsi'), message: /'irsi' is neither a file nor a bundled data set: .* xor, iris, digits/ },
  { name: 'negative epochs', args: train('iris', '--epochs', '-3'), message: /--epochs must be a whole number ≥ 1, got '-3'/ },
  { name: 'learning rate 0', args: train('iris', '--lr', '0'), message: /--lr must be a number greater than 0, got '0'/ },
  { name: 'batch 0', args: train('iris', '--batch', '0'), message: /--batch must be 'full' or a whole number ≥ 1 .*, got '0'/ },
  { name: 'test split 1.5', args: train('iris', '--test-split', '1.5'), message: /--test-split must be a fraction ≥ 0 and < 1.*, got '1\.5'/ },
  { name: 'unknown activation', args: train('iris', '--activation', 'swish'), message: /--activation: unknown activation 'swish': expected one of sigmoid, / },
  { name: 'unknown loss', args: train('iris', '--loss', 'hinge'), message: /--loss: unknown loss 'hinge': expected one of / },
  {
    name: 'cross-entropy on a linear output',
    args: train('iris', '--output-activation', 'linear', '--loss', 'cross-entropy'),
    message: /--loss cross-entropy needs --output-activation softmax, but the output activation is linear/,
  },
  { name: 'softmax for a numeric target', args: train(f('numbers.csv'), '--output-activation', 'softmax'), message: /softmax does not fit the numeric target 'y'/ },
  {
    name: 'training that diverges',
    // without --out: with it, the weights of the last good step are saved (see cli-checkpoint.test.ts)
    args: ['train', 'iris', '--optimizer', 'sgd', '--lr', '1e9', '--output-activation', 'linear', '--loss', 'mse', '--batch', 'full', '--epochs', '60', '--quiet'],
    message: /training diverged at epoch \d+/,
  },
  { name: 'an --out folder that does not exist', args: ['train', 'iris', '--quiet', '--out', f('no/such/model.json')], message: /--out '.*model\.json': the folder .* does not exist/ },
  { name: 'predict with more columns than in training', args: ['predict', existing, f('more.csv')], message: /more\.csv has a column the model was not trained on: column 5 \('extra'\)/ },
  { name: 'predict with fewer columns than in training', args: ['predict', existing, f('fewer.csv')], message: /fewer\.csv lacks the column 'petal_width': the model was trained on 4 feature columns/ },
  { name: 'truncated model file', args: ['evaluate', f('truncated.json'), 'iris'], message: /truncated\.json is not valid JSON, so it is not a readable model file \(truncated or damaged\?\)/ },
  { name: 'edited model file', args: ['predict', f('edited.json'), 'iris'], message: /edited\.json is damaged or was edited: field network\.layers\[0\]\.activation/ },
  { name: 'model file of a newer format version', args: ['info', f('v2.json')], message: /v2\.json: field version is 2, a model format newer than this backprop reads \(version 1\)/ },
  { name: 'trace with a model but no data', args: ['trace', existing], message: /needs data too/ },
];

describe('bad input', { concurrency: 4 }, () => {
  let before_: { text: string; mtime: number };

  before(() => {
    for (const [name, text] of Object.entries(files)) writeFileSync(f(name), text);
    const iris = parseCsv(readFileSync(join(root, 'data/iris.csv'), 'utf8'), 'iris.csv');
    const text = trainModel(iris, { epochs: 5 }).model.toText();
    writeFileSync(existing, text);
    writeFileSync(f('truncated.json'), text.slice(0, Math.floor(text.length * 0.6)));
    writeFileSync(f('edited.json'), text.replace('"activation": "tanh"', '"activation": "tanhh"'));
    writeFileSync(f('v2.json'), text.replace('"version": 1', '"version": 2'));
    before_ = { text, mtime: statSync(existing).mtimeMs };
  });

  for (const c of cases) {
    test(c.name, async () => {
      const r = await backprop(c.args);
      assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
      assert.match(r.stderr, /^backprop: [^\n]+\n$/, 'one line on stderr, no stack trace');
      assert.match(r.stderr, c.message);
      assert.equal(readFileSync(existing, 'utf8'), before_.text, 'the existing model file is unchanged');
      assert.equal(statSync(existing).mtimeMs, before_.mtime);
    });
  }

  test('no temporary files are left behind', async () => {
    await backprop(train('iris', '--epochs', '-1'));
    assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
    assert.ok(!existsSync(f('no')));
  });
});
