// Hostile use of the command line: each case exits 1 with one clear line on stderr and leaves
// every file it was given unchanged (compared by a checksum of its bytes).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BackpropError, Network, parseCsv, trainModel } from '../src/index.js';
import { backprop, root, tempDir } from './cli-run.js';

const dir = tempDir();
const f = (name: string) => join(dir, name);
const sha = (path: string) => (existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'missing');

interface Case {
  name: string;
  args: string[];
  message: RegExp;
  /** The files that must keep their bytes. */
  keep: string[];
  env?: Record<string, string>;
}

/** Runs the case: exit 1, one line on stderr matching `message`, the kept files unchanged. */
async function refused(c: Case): Promise<void> {
  const sums = c.keep.map(sha);
  const r = await backprop(c.args, c.env);
  assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
  assert.match(r.stderr, /^backprop: [^\n]+\n$/, `one line on stderr, no stack trace; got ${JSON.stringify(r.stderr)}`);
  assert.match(r.stderr, c.message);
  assert.deepEqual(c.keep.map(sha), sums, 'every file is unchanged');
}

before(() => {
  const iris = parseCsv(readFileSync(join(root, 'data/iris.csv'), 'utf8'), 'iris.csv');
  writeFileSync(f('m.json'), trainModel(iris, { epochs: 2 }).model.toText());
  writeFileSync(f('data.csv'), readFileSync(join(root, 'data/xor.csv')));
  symlinkSync(f('data.csv'), f('link.csv'));
  mkdirSync(f('ckpt'));
});

describe('an output that would overwrite an input or another output is refused before any work', { concurrency: 4 }, () => {
  const cases: Case[] = [
    {
      name: 'train --out and --plot the same file',
      args: ['train', 'iris', '--quiet', '--epochs', '1', '--out', f('m.json'), '--plot', f('m.json')],
      message: /--plot '.*m\.json' is the same file as --out '.*m\.json': give each output its own file/,
      keep: [f('m.json')],
    },
    {
      name: 'train --out over its data file',
      args: ['train', f('data.csv'), '--quiet', '--epochs', '1', '--out', f('data.csv')],
      message: /--out '.*data\.csv' is the data file this command reads: .*choose another file/,
      keep: [f('data.csv')],
    },
    {
      name: 'train --plot over its data file through a symbolic link',
      args: ['train', f('data.csv'), '--quiet', '--epochs', '1', '--plot', f('link.csv')],
      message: /--plot '.*link\.csv' is the data file this command reads/,
      keep: [f('data.csv')],
    },
    {
      name: 'train --out over its own checkpoint file',
      args: ['train', 'xor', '--quiet', '--epochs', '1', '--checkpoint', f('ckpt'), '--out', join(f('ckpt'), 'checkpoint.json')],
      message: /--out '.*checkpoint\.json' is the same file as --checkpoint/,
      keep: [join(f('ckpt'), 'checkpoint.json')],
    },
    {
      name: 'predict --out over its model file',
      args: ['predict', f('m.json'), 'iris', '--out', f('m.json')],
      message: /--out '.*m\.json' is the model file this command reads/,
      keep: [f('m.json')],
    },
    {
      name: 'predict --out over its data file',
      args: ['predict', f('m.json'), f('./data.csv'), '--out', f('data.csv')],
      message: /--out '.*data\.csv' is the data file this command reads/,
      keep: [f('data.csv')],
    },
    {
      name: 'export --js over its model file',
      args: ['export', f('m.json'), '--js', f('m.json')],
      message: /--js '.*m\.json' is the model file this command reads/,
      keep: [f('m.json')],
    },
    {
      name: 'export --onnx and --js the same file',
      args: ['export', f('m.json'), '--onnx', f('out.bin'), '--js', f('out.bin')],
      message: /--js '.*out\.bin' is the same file as --onnx '.*out\.bin'/,
      keep: [f('out.bin')],
    },
  ];
  for (const c of cases) test(c.name, () => refused(c));

  test('nothing was written', () => {
    assert.deepEqual(readdirSync(f('ckpt')), []);
    assert.ok(!existsSync(f('out.bin')));
  });
});

describe('numbers that are not what was saved, or not finite, are refused', { concurrency: 4 }, () => {
  const ckpt = (name: string) => join(f(name), 'checkpoint.json');
  /** A copy of the checkpoint of a two-epoch xor run, changed by `edit`. */
  const edited = (name: string, edit: (c: any) => void) => {
    mkdirSync(f(name));
    const c = JSON.parse(readFileSync(ckpt('run'), 'utf8'));
    edit(c);
    writeFileSync(ckpt(name), JSON.stringify(c) + '\n');
  };

  before(async () => {
    const iris = parseCsv(readFileSync(join(root, 'data/iris.csv'), 'utf8'), 'iris.csv');
    const model = trainModel(iris, { epochs: 2 }).model;
    const text = model.toText();
    writeFileSync(f('old.json'), text.replace(/,\n {2}"checksum": \{[^}]*\}/, ''));
    writeFileSync(f('weight.json'), text.replace(/("weights": \[\s*\[)-?[\d.e-]+/, "$11e308"));
    for (const p of model.network.params()) for (let i = 0; i < p.value.length; i++) p.value[i] = i % 2 ? -1e308 : 1e308;
    writeFileSync(f('huge.json'), model.toText());
    const r = await backprop(['train', 'xor', '--quiet', '--epochs', '2', '--checkpoint', f('run')]);
    assert.equal(r.code, 0, r.stderr);
    edited('w', (c) => (c.fit.params[0][1] = 1e300));
    edited('t', (c) => (c.fit.optimizer.t += 1));
    edited('seed', (c) => (c.settings.seed = 7));
    edited('rng', (c) => (c.fit.rng[0] ^= 1));
    edited('old', (c) => delete c.checksum);
    edited('epoch', (c) => ((c.fit.epoch = 99), delete c.checksum));
  });

  const cases: Case[] = [
    { name: 'predict with weights that overflow', args: ['predict', f('huge.json'), 'iris'], message: /row 2 of iris\.csv: the model's output 1 is NaN, not a finite number/, keep: [f('huge.json')] },
    { name: 'evaluate with weights that overflow', args: ['evaluate', f('huge.json'), 'iris'], message: /row 2 of iris\.csv: the model's output 1 is NaN/, keep: [f('huge.json')] },
    {
      name: 'a model file with a weight edited',
      args: ['predict', f('weight.json'), 'iris'],
      message: /weight\.json was changed after it was saved \(edited by hand, or damaged\): field network does not match the checksum saved in the file/,
      keep: [f('weight.json')],
    },
    { name: 'a checkpoint with a weight edited', args: ['train', '--resume', f('w'), '--quiet'], message: /checkpoint\.json was changed after it was saved .*: field fit\.params does not match/, keep: [ckpt('w')] },
    { name: "a checkpoint with Adam's step edited", args: ['train', '--resume', f('t'), '--quiet', '--out', f('t.json')], message: /field fit\.optimizer does not match/, keep: [ckpt('t'), f('t.json')] },
    { name: 'a checkpoint with the seed edited', args: ['train', '--resume', f('seed'), '--quiet'], message: /field settings does not match/, keep: [ckpt('seed')] },
    { name: "a checkpoint with the generator's state edited", args: ['train', '--resume', f('rng'), '--quiet'], message: /field fit\.rng does not match/, keep: [ckpt('rng')] },
  ];
  for (const c of cases) test(c.name, () => refused(c));

  test('a model file without a checksum loads, with a warning', async () => {
    const r = await backprop(['predict', f('old.json'), 'iris']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^backprop: warning: .*old\.json carries no checksum \(saved by an older backprop\), so an edit cannot be detected: it is used as it is\n$/);
    assert.equal(r.stdout.trimEnd().split('\n').length, 151);
  });

  test('a checkpoint without a checksum resumes, with a warning, and is kept at the end', async () => {
    const r = await backprop(['train', '--resume', f('old'), '--quiet', '--epochs', '3', '--out', f('old-model.json')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^backprop: warning: .*checkpoint\.json carries no checksum/);
    assert.match(r.stdout, /kept the checkpoint .*checkpoint\.json: the run resumed from a checkpoint it could not verify/);
    assert.ok(existsSync(ckpt('old')));
    assert.ok(existsSync(f('old-model.json')));
  });

  test('a checkpoint with its checksum resumes, and is removed at the end', async () => {
    const r = await backprop(['train', '--resume', f('run'), '--quiet', '--epochs', '3', '--out', f('run-model.json')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /removed the checkpoint/);
    assert.ok(!existsSync(ckpt('run')));
  });
});

describe('messages: one line that says what is wrong', { concurrency: 4 }, () => {
  const cases: Case[] = [
    { name: 'BACKPROP_THREADS=abc, even for info', args: ['info', f('m.json')], env: { BACKPROP_THREADS: 'abc' }, message: /BACKPROP_THREADS must be 'auto' or a whole number from 1 to 64, got 'abc'/, keep: [f('m.json')] },
    { name: 'an unknown option: its line and where the help is, not the help', args: ['train', 'iris', '--eopchs', '3', '--out', f('m.json')], message: /^backprop: unknown option '--eopchs' \(Did you mean --epochs\?\) \(see backprop train --help\)\n$/, keep: [f('m.json')] },
    { name: 'an unknown command', args: ['trian', 'iris'], message: /unknown command 'trian' \(Did you mean train\?\) \(see backprop --help\)/, keep: [] },
  ];
  for (const c of cases) test(c.name, () => refused(c));

  test('a checkpoint whose epoch disagrees with its history names both', async () => {
    await refused({
      name: '',
      args: ['train', '--resume', f('epoch'), '--quiet'],
      message: /checkpoint\.json is damaged or was edited: field fit\.epoch is 99, but fit\.history counts 2 finished epochs, so it should be 3/,
      keep: [join(f('epoch'), 'checkpoint.json')],
    });
  });

  test('a killed save leaves temporary files that the next run with that output removes', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!; // a process that has ended
    mkdirSync(f('tmp'));
    const stale = join(f('tmp'), `.model.json.${gone}.0badf00d.tmp`);
    const live = join(f('tmp'), `.model.json.${process.pid}.0badf00d.tmp`);
    const other = join(f('tmp'), `.other.json.${gone}.0badf00d.tmp`);
    for (const p of [stale, live, other]) writeFileSync(p, 'partial');
    const r = await backprop(['train', 'xor', '--quiet', '--epochs', '1', '--out', join(f('tmp'), 'model.json')]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(f('tmp')).sort(), [`.model.json.${process.pid}.0badf00d.tmp`, `.other.json.${gone}.0badf00d.tmp`, 'model.json']);
  });
});

describe('memory: sizes checked before allocating, failures in one line, a cap met by falling back', { concurrency: 4 }, () => {
  const cases: Case[] = [
    { name: '--layers 1e9', args: ['train', 'iris', '--quiet', '--layers', '1e9', '--out', f('m.json')], message: /layer 1 \(1000000000 units, 4 inputs\) brings the network to 5000000000 parameters, which need \d+ GB to train .* over the memory limit of .*: use fewer units, or raise the limit with --max-memory/, keep: [f('m.json')] },
    { name: '--layers 30000000', args: ['train', 'iris', '--quiet', '--layers', '30000000'], message: /layer 2 \(3 units, 30000000 inputs\) brings the network to 240000003 parameters, which need 14 GB to train/, keep: [] },
    { name: 'a limit given with --max-memory', args: ['train', 'iris', '--quiet', '--layers', '5000', '--max-memory', '1MB'], message: /layer 1 \(5000 units, 4 inputs\) brings the network to 25000 parameters, which need 1\.5 MB to train \(8 float64 copies\), over the memory limit of 1\.0 MB/, keep: [] },
    { name: 'a bad --max-memory', args: ['train', 'iris', '--quiet', '--max-memory', 'lots'], message: /--max-memory must be a size such as 8GB, 512MB or a number of bytes, got 'lots'/, keep: [] },
  ];
  for (const c of cases) test(c.name, () => refused(c));

  test('the library refuses a network too large before allocating it', () => {
    const t = Date.now();
    assert.throws(() => new Network({ inputs: 2, layers: [{ units: 1e9 }, { units: 1 }] }), (e: unknown) => e instanceof BackpropError && /^layer 1 \(1000000000 units, 2 inputs\) brings the network to 3000000000 parameters, which need 179 GB to train .* raise the limit with setMemoryLimit\(bytes\)$/.test(e.message));
    assert.ok(Date.now() - t < 1000, 'refused at once');
  });

  test('under an address-space cap (ulimit -v 12 GB), float32 training runs on one thread and says so', () => {
    const r = spawnSync('bash', ['-c', `ulimit -v 12000000 && exec "${process.execPath}" test/capped-run.mjs`], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `exit ${r.status} ${r.signal}: ${r.stderr}`);
    const { warnings } = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.deepEqual(warnings, ['the address space is capped at 11 GB (ulimit -v), too little for helper threads: the float32 products run on one thread']);
  });

  test('SIGTERM ends a long training run at once', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), 'train', 'digits', '--epochs', '100000', '--quiet'], { cwd: root });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 1000)); // training has started
    const sent = Date.now();
    child.kill('SIGTERM');
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    assert.equal(signal ?? code, signal ? 'SIGTERM' : 143);
    assert.ok(Date.now() - sent < 5000, `ended ${Date.now() - sent} ms after SIGTERM`);
  });
});
