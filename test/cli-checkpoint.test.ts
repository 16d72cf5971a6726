// `backprop train --checkpoint DIR` and `--resume DIR`: a resumed run ends with the weights of
// the uninterrupted run; other data or settings are refused; a diverging run saves the last good
// weights. (Stopping with a real signal: test/long/cli-signal.test.ts.)
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { BackpropError, Model, parseCsv, trainModel, TrainingDivergedError, type TrainModelOptions } from '../src/index.js';
import { registerTrain } from '../cli/commands/train.js';
import { loadTable } from '../cli/files.js';
import { backprop, lastJSON, root, tempDir } from './cli-run.js';

const dir = tempDir();
const f = (name: string) => join(dir, name);
const networkOf = (path: string) => JSON.parse(readFileSync(path, 'utf8')).network;
const checkpointOf = (folder: string) => JSON.parse(readFileSync(join(folder, 'checkpoint.json'), 'utf8'));

/**
 * `backprop train ...args` in this process, for mistakes found before anything is trained or
 * printed: it must fail with a BackpropError (which the command line prints as one line).
 */
async function refused(args: string[], message: RegExp): Promise<void> {
  const program = new Command('backprop').exitOverride();
  registerTrain(program);
  await assert.rejects(program.parseAsync(['train', ...args, '--quiet'], { from: 'user' }), (e: unknown) => {
    assert.ok(e instanceof BackpropError, String(e));
    assert.match(e.message, message);
    return true;
  });
}

/** The network an uninterrupted run trains, in process, as the model file holds it. */
const uninterrupted = (options: TrainModelOptions) => JSON.parse(trainModel(loadTable('iris'), options).model.toText()).network;

describe('backprop train with checkpoints', { concurrency: true }, () => {
  describe('checkpoints and resume', { concurrency: true }, () => {
    // Iris: 120 training rows in batches of 32 make 4 batches an epoch; a checkpoint every
    // 5 batches is last saved after batch 30 of 32, in the middle of epoch 8.
    before(async () => {
      const r = await backprop(['train', 'iris', '--epochs', '8', '--checkpoint', f('ck'), '--every-batches', '5', '--quiet']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /checkpoints: every 5 batches to .*checkpoint\.json/);
      assert.match(r.stdout, /kept the checkpoint .*: `backprop train --resume .*ck --out model\.json` saves this model/);
      for (const copy of ['ck-more', 'ck-fresh', 'ck-refuse']) cpSync(f('ck'), f(copy), { recursive: true });
    });

    test('the kept checkpoint holds the settings, the data fingerprint and a position inside an epoch', () => {
      const c = checkpointOf(f('ck-refuse'));
      assert.equal(c.format, 'backprop-train-checkpoint');
      assert.deepEqual([c.fit.epoch, c.fit.batch, c.fit.history.epochs], [8, 2, 7]);
      assert.equal(c.settings.learningRate, 0.01);
      assert.equal(c.settings.epochs, 8);
      assert.equal(c.data.rows, 150);
      assert.match(c.data.fingerprint, /^[0-9a-f]{8}$/);
      assert.equal(c.testLoss.length, 7);
      assert.deepEqual(c.origin, { data: 'iris', everyBatches: 5 });
    });

    test('--resume DIR --out: the weights of the uninterrupted run, bit for bit; the checkpoint is then removed', async () => {
      const r = await backprop(['train', '--resume', f('ck'), '--out', f('resumed.json'), '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(networkOf(f('resumed.json')), uninterrupted({ epochs: 8 }));
      assert.equal(lastJSON(r.stdout).epochs, 8);
      assert.ok(!existsSync(join(f('ck'), 'checkpoint.json')), 'a finished run with its model saved leaves no checkpoint');
      const history = JSON.parse(readFileSync(f('resumed.json'), 'utf8')).training.history;
      assert.equal(history.loss.length, 8);
      assert.equal(history.testLoss.length, 8);
    });

    test('--resume with more --epochs continues to the run of that many epochs', async () => {
      const r = await backprop(['train', '--resume', f('ck-more'), '--epochs', '11', '--out', f('more.json'), '--quiet']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(networkOf(f('more.json')), uninterrupted({ epochs: 11 }));
    });

    test('another learning rate is refused, naming the flag and both values; so is a seed given twice differently', async () => {
      await refused(['--resume', f('ck-refuse'), '--lr', '0.5'], /^the checkpoint was made with other settings: --lr 0\.5 \(the checkpoint's: 0\.01\)\. A resumed run keeps the settings/);
      await refused(['--resume', f('ck-refuse'), '--seed', '2', '--optimizer', 'sgd'], /--optimizer sgd \(the checkpoint's: adam\); --seed 2 \(the checkpoint's: 1\)\. .* only --epochs may change$/);
    });

    test('other data is refused, and so are fewer epochs than already trained', async () => {
      const text = readFileSync(join(root, 'data', 'iris.csv'), 'utf8').replace('5.1,3.5,1.4,0.2', '5.1,3.5,1.4,0.3');
      writeFileSync(f('iris-edited.csv'), text);
      await refused(
        [f('iris-edited.csv'), '--resume', f('ck-refuse')],
        /iris-edited\.csv is not the data the checkpoint was made with \(iris\.csv: 150 rows, fingerprint [0-9a-f]{8}; this data: 150 rows, fingerprint [0-9a-f]{8}\)/,
      );
      await refused(['--resume', f('ck-refuse'), '--epochs', '7'], /the checkpoint has already trained 7 epochs and part of epoch 8: --epochs 7 is fewer/);
    });

    test('a new run does not replace the checkpoint of another run', async () => {
      const before_ = readFileSync(join(f('ck-fresh'), 'checkpoint.json'), 'utf8');
      await refused(['iris', '--checkpoint', f('ck-fresh')], /--checkpoint '.*ck-fresh' already holds the checkpoint of a run on iris\.csv \(7 of 8 epochs done\): continue that run with --resume/);
      assert.equal(readFileSync(join(f('ck-fresh'), 'checkpoint.json'), 'utf8'), before_);
    });
  });

  describe('checkpoint mistakes are refused before any training', () => {
    const cases: [string, string[], RegExp][] = [
      ['--every without --checkpoint', ['train', 'iris', '--every', '2'], /^--every needs --checkpoint DIR/],
      ['--every-batches 0', ['train', 'iris', '--checkpoint', f('unused'), '--every-batches', '0'], /--every-batches must be a whole number ≥ 1, got '0'/],
      ['--resume of a missing folder', ['train', '--resume', f('nothing-here')], /--resume '.*nothing-here': no such folder/],
      ['--resume of a folder without a checkpoint', ['train', '--resume', dir], /holds no checkpoint \(checkpoint\.json\): give the folder passed to --checkpoint/],
      ['a truncated checkpoint', ['train', '--resume', f('truncated')], /truncated\/checkpoint\.json is not valid JSON \(truncated or damaged\?\)/],
      ['an edited checkpoint', ['train', '--resume', f('edited')], /edited\/checkpoint\.json is damaged or was edited: field fit\.order/],
      ['a model file given as a checkpoint', ['train', '--resume', f('model.json')], /model\.json is not a backprop training checkpoint: field format is "backprop-model"/],
      ['no data and no --resume', ['train'], /train needs data: a CSV file or a bundled data set/],
      ['--checkpoint naming a file', ['train', 'iris', '--checkpoint', f('model.json')], /--checkpoint '.*model\.json' is a file: give a folder/],
    ];

    before(async () => {
      let text = '';
      trainModel(loadTable('iris'), { epochs: 2, checkpoint: { everyEpochs: 1, save: (c) => void (text = JSON.stringify(c)) } });
      for (const [name, body] of [
        ['truncated', text.slice(0, text.length >> 1)],
        ['edited', text.replace('"order":[', '"order":["x",')],
      ]) {
        mkdirSync(f(name));
        writeFileSync(join(f(name), 'checkpoint.json'), body);
      }
      writeFileSync(f('model.json'), trainModel(parseCsv('a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n'), { epochs: 1 }).model.toText());
    });

    for (const [name, args, message] of cases) test(name, () => refused(args.slice(1), message));
  });

  describe('a diverging run', () => {
    // Huge values, standardised for training, and plain gradient descent with a step of 10.
    const rows = ['a,b,y'];
    for (let i = 0; i < 60; i++) {
      const a = Math.sin(i * 1.7) * 1e12;
      const b = Math.cos(i * 0.3) * 1e15;
      rows.push(`${a},${b},${3 * a + 2e-3 * b + Math.abs(Math.sin(i * 5)) * 1e11}`);
    }
    const csv = rows.join('\n') + '\n';
    const args = ['--lr', '10', '--optimizer', 'sgd'];

    test('says where it diverged and what to do, saves the last good weights atomically and exits 1', async () => {
      writeFileSync(f('huge.csv'), csv);
      writeFileSync(f('diverged.json'), 'an older file\n');
      const r = await backprop(['train', f('huge.csv'), ...args, '--out', f('diverged.json'), '--checkpoint', f('ck-diverged'), '--quiet']);
      assert.equal(r.code, 1, r.stderr);
      const m = /^backprop: training diverged at epoch (\d+), batch (\d+): the loss or a gradient became NaN or infinite\. The weights from the last good step are kept\. Try a lower learning rate \(now 10\)\.\n/.exec(r.stderr);
      assert.ok(m, r.stderr);
      assert.match(r.stderr, /\nbackprop: saved the weights of the last good step to .*diverged\.json\n/);
      assert.match(r.stderr, /\nbackprop: removed the checkpoint .*ck-diverged\/checkpoint\.json: resuming it would diverge the same way\n$/);
      assert.doesNotMatch(r.stderr, /\n +at /, 'no stack trace');

      // The library stops in the same batch and keeps the same weights.
      let err: unknown;
      try {
        trainModel(parseCsv(csv, f('huge.csv')), { learningRate: 10, optimizer: 'sgd' });
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof TrainingDivergedError, String(err));
      assert.deepEqual([Number(m[1]), Number(m[2])], [err.epoch, err.batch]);
      assert.ok(err.epoch > 1, 'some epochs trained before the divergence');
      assert.deepEqual(networkOf(f('diverged.json')), JSON.parse(err.result.model.toText()).network);

      const saved = Model.parse(readFileSync(f('diverged.json'), 'utf8'), 'diverged.json');
      assert.equal(saved.file.training.history.stopReason, 'diverged');
      assert.equal(saved.file.training.history.epochs, err.epoch - 1);
      assert.ok(saved.network.params().every((p) => p.value.every(Number.isFinite)), 'finite weights');
      assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
      assert.ok(statSync(f('ck-diverged')).isDirectory());
    });
  });
});
