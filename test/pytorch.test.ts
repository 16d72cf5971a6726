// export --pytorch, train.py and import: PyTorch's module gives backprop's outputs; a step of
// train.py is backprop's step for every loss convention and optimizer; two DistributedDataParallel
// processes train as one; the folder comes back. Runs Debian's PyTorch (/usr/bin/python3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Model, parseCsv, takeRows, type Network } from '../src/index.js';
import { decodeSafetensors, encodeSafetensors, fromPyTorch, toPyTorch } from '../src/pytorch.js';
import { tempDir } from './cli-run.js';
import { assertWithin } from './export-checks.js';
import { cli, root } from './helpers.js';
import { interopCase, interopCases, iris } from './interop-cases.js';

const PYTHON = '/usr/bin/python3';
const skip = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0
  ? false
  : `PyTorch is not installed for ${PYTHON} (CI installs it: apt-get install -y python3-torch), so the PyTorch tests are skipped`;

function python(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // a process that hangs fails the test after 3 minutes instead of holding the suite up
    execFile(PYTHON, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 180_000, env: { ...process.env, OMP_NUM_THREADS: '1', ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** A TCP port nobody listens on, for the processes' rendezvous. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Writes a model's PyTorch folder (the library call export --pytorch makes). */
function writeFolder(model: Model, dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, data] of Object.entries(toPyTorch(model))) writeFileSync(join(dir, name), data);
  return dir;
}

/** The model of a folder, as import reads it. */
function readFolder(dir: string): Model {
  return fromPyTorch(readFileSync(join(dir, 'model.json'), 'utf8'), new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
}

function assertSameWeights(a: Network, b: Network, tol: number, what: string): void {
  const pa = a.params();
  const pb = b.params();
  assert.equal(pa.length, pb.length);
  pa.forEach((p, i) => {
    for (let k = 0; k < p.value.length; k++) {
      const d = Math.abs(p.value[k] - pb[i].value[k]);
      assert.ok(d <= tol, `${what}: ${p.name}[${k}] is ${p.value[k]} and ${pb[i].value[k]} (difference ${d})`);
    }
  });
}

test('model.py: load(dir) on raw rows gives backprop predict\'s outputs within 2e-5, for every activation and output', { skip }, async () => {
  const dir = tempDir();
  const cases = interopCases();
  const script = [
    'import json, sys, torch',
    'cases = json.load(open(sys.argv[1]))',
    'out = []',
    'for c in cases:',
    '    sys.path.insert(0, c["dir"]); import model; sys.path.pop(0)',
    '    m = model.load(c["dir"])',
    '    with torch.no_grad(): out.append(m(torch.tensor(c["raw"], dtype=torch.float32)).tolist())',
    '    del sys.modules["model"]',
    'print(json.dumps(out))',
  ].join('\n');
  const list = cases.map((c, i) => ({ dir: writeFolder(c.model, join(dir, `case${i}`)), raw: c.raw }));
  writeFileSync(join(dir, 'cases.json'), JSON.stringify(list));
  writeFileSync(join(dir, 'forward.py'), script);
  const r = await python([join(dir, 'forward.py'), join(dir, 'cases.json')]);
  assert.equal(r.code, 0, r.stderr);
  const outputs = JSON.parse(r.stdout) as number[][][];
  cases.forEach((c, i) => assertWithin(outputs[i], c.expected, 2e-5, `PyTorch output of ${c.name}`));
});

/** train.py on `data` from a model's folder; the trained model and train.py's output. */
async function trainPy(model: Model, data: string, args: string[]): Promise<{ trained: Model; stdout: string }> {
  const dir = writeFolder(model, join(tempDir(), 'export'));
  const out = join(dir, '..', 'trained');
  const r = await python([join(dir, 'train.py'), data, ...args, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  return { trained: readFolder(out), stdout: r.stdout };
}

/** The library's training of the same weights on the same rows (the training part: the model's own file), as the model's settings say. */
function libraryTraining(model: Model, table: typeof iris, epochs: number): Network {
  const net = model.network.clone();
  const { X, Y } = model.prepare(table, true);
  const rows = model.splitRows(table, 'train');
  const t = model.file.training;
  net.fit(takeRows(X, rows), takeRows(Y!, rows), { epochs, batchSize: t.batchSize, optimizer: t.optimizer, learningRate: t.learningRate });
  return net;
}

/** Runs at most two at a time (two cores). */
async function inPairs<T>(items: T[], run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += 2) await Promise.all(items.slice(i, i + 2).map(run));
}

const irisPath = join(root, 'data', 'iris.csv');

test('train.py --nproc 1, one epoch of full-batch SGD, ends on the library\'s weights within 1e-5 for every loss convention', { skip }, async () => {
  const sgd = { optimizer: 'sgd' as const, batchSize: 'full' as const, learningRate: 0.5, layers: [6], activation: 'tanh' };
  const squared = ['half-mean-over-samples', 'mean-over-samples', 'sum-of-squares', 'half-sum-of-squares', 'half-mean-over-elements', 'mean-over-elements'];
  const cases = [
    // three sigmoid outputs, so that the conventions over samples and over elements differ
    ...squared.map((loss) => interopCase(loss, iris, { ...sgd, loss, outputActivation: 'sigmoid', learningRate: loss.includes('sum') ? 0.005 : 0.5 })),
    interopCase('cross-entropy', iris, { ...sgd, loss: 'cross-entropy' }),
    interopCase('binary-cross-entropy', iris, { ...sgd, loss: 'binary-cross-entropy', outputActivation: 'sigmoid' }),
  ];
  await inPairs(cases, async (c) => {
    const { trained, stdout } = await trainPy(c.model, irisPath, ['--epochs', '1', '--nproc', '1']);
    assert.match(stdout, /^epoch 1\/1 {2}loss \d+\.\d{4} {2}accuracy \d\.\d{3}$/m);
    assert.match(stdout, /^iris\.csv is the file the model was trained on: its 30 test rows stay out/m);
    const library = libraryTraining(c.model, iris, 1);
    // the step moved the weights, by more than the tolerance
    assert.ok(Math.abs(library.params()[0].value[0] - c.model.network.params()[0].value[0]) > 1e-4, `${c.name}: the weights hardly moved`);
    assertSameWeights(trained.network, library, 1e-5, `${c.name}: train.py and backprop`);
    assert.equal(trained.file.training.history.epochs, c.model.file.training.history.epochs + 1);
  });
});

test('train.py carries backprop\'s optimizers over: momentum, nesterov, rmsprop and adam for three full-batch steps, within 1e-5', { skip }, async () => {
  const names = ['momentum', 'nesterov', 'rmsprop', 'adam'] as const;
  await inPairs([...names], async (optimizer) => {
    const learningRate = optimizer === 'rmsprop' || optimizer === 'adam' ? 0.01 : 0.3;
    const c = interopCase(optimizer, iris, { optimizer, learningRate, batchSize: 'full', layers: [6] });
    const { trained } = await trainPy(c.model, irisPath, ['--epochs', '3']);
    assertSameWeights(trained.network, libraryTraining(c.model, iris, 3), 1e-5, `${optimizer}: train.py and backprop`);
  });
});

test('train.py applies the model\'s L1 and L2 regularisation as backprop does: three steps within 1e-5, and the loss with its penalty', { skip }, async () => {
  const cases = [
    interopCase('sgd, l1 and l2', iris, { optimizer: 'sgd', learningRate: 0.3, batchSize: 'full', layers: [6], l1: 0.01, l2: 0.05 }),
    interopCase('adam, l2', iris, { optimizer: 'adam', learningRate: 0.01, batchSize: 'full', layers: [6], l2: 0.1 }),
  ];
  await inPairs(cases, async (c) => {
    assert.ok(c.model.file.training.l2, 'the model file carries l2');
    const t = c.model.file.training;
    const net = c.model.network.clone();
    const { X, Y } = c.model.prepare(iris, true);
    const rows = c.model.splitRows(iris, 'train');
    const base = { epochs: 3, batchSize: t.batchSize, optimizer: t.optimizer, learningRate: t.learningRate } as const;
    const h = net.fit(takeRows(X, rows), takeRows(Y!, rows), { ...base, l1: t.l1, l2: t.l2 });
    const { trained } = await trainPy(c.model, irisPath, ['--epochs', '3']);
    const plain = c.model.network.clone();
    plain.fit(takeRows(X, rows), takeRows(Y!, rows), base);
    assertSameWeights(trained.network, net, 1e-5, `${c.name}: train.py and backprop`);
    assert.throws(() => assertSameWeights(trained.network, plain, 1e-5, 'without'), /difference/, `${c.name}: the penalty changed the steps`);
    const added = trained.file.training.history.loss.slice(-3);
    added.forEach((l, i) => assert.ok(Math.abs(l - h.loss[i]) < 1e-5 * (1 + h.loss[i]), `${c.name}, epoch ${i + 1}: train.py's loss ${l}, backprop's ${h.loss[i]}`));
  });
  // mini-batches over two processes: the penalty is counted once per step, not once per process
  const mini = interopCase('l1 and l2, mini-batches', iris, { optimizer: 'momentum', learningRate: 0.1, batchSize: 25, layers: [6], l1: 0.01, l2: 0.05 });
  const [one, two] = await Promise.all(['1', '2'].map((nproc) => trainPy(mini.model, irisPath, ['--epochs', '2', '--nproc', nproc])));
  assertSameWeights(one.trained.network, two.trained.network, 1e-5, '--nproc 1 and --nproc 2 with l1 and l2');
  const l1 = one.trained.file.training.history.loss.slice(-2);
  const l2 = two.trained.file.training.history.loss.slice(-2);
  l1.forEach((l, i) => assert.ok(Math.abs(l - l2[i]) < 1e-5, `epoch ${i + 1}: ${l} with one process, ${l2[i]} with two`));
});

test('a regression carries its target scaling: one step of train.py is the library\'s', { skip }, async () => {
  const { curve } = await import('./interop-cases.js');
  const dir = tempDir();
  const data = join(dir, 'curve.csv');
  writeFileSync(data, [curve.header.join(','), ...curve.rows.map((r) => r.join(','))].join('\n') + '\n');
  const c = interopCase('regression', curve, { optimizer: 'sgd', batchSize: 'full', learningRate: 0.1, layers: [5] });
  const { trained } = await trainPy(c.model, data, ['--epochs', '1']);
  assertSameWeights(trained.network, libraryTraining(c.model, curve, 1), 1e-5, 'regression: train.py and backprop');
});

test('--nproc 2: both ranks end on the same weights, those of --nproc 1 within 1e-5 (mini-batches of 32, 149 rows), and so do two ranks started as torchrun starts them; the round trip through the command line', { skip }, async () => {
  const dir = tempDir();
  // 149 rows: the sampler pads the last shard, and the padding must not count
  const data = join(dir, 'iris149.csv');
  writeFileSync(data, readFileSync(irisPath, 'utf8').trimEnd().split('\n').slice(0, 150).join('\n') + '\n');
  const table = parseCsv(readFileSync(data, 'utf8'), 'iris149.csv');
  const c = interopCase('adam', table, { layers: [8], epochs: 2 });
  assert.equal(c.model.file.training.batchSize, 32);
  const modelPath = join(dir, 'before.json');
  writeFileSync(modelPath, c.model.toText());
  const folder = join(dir, 'pt');
  const exported = cli(['export', modelPath, '--pytorch', folder]);
  assert.equal(exported.status, 0, exported.stderr);
  const train = (nproc: string) => python([join(folder, 'train.py'), data, '--epochs', '10', '--nproc', nproc, '--out', join(dir, `trained${nproc}`)]);
  const [one, two] = await Promise.all([train('1'), train('2')]);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.code, 0, two.stderr);
  assert.match(one.stdout, /^iris149\.csv is the file the model was trained on: its 30 test rows stay out/m);
  assert.match(two.stdout, /^2 processes end on the same weights \(largest difference from rank 0: 0\)$/m);
  assertSameWeights(readFolder(join(dir, 'trained2')).network, readFolder(join(dir, 'trained1')).network, 1e-5, '--nproc 2 and --nproc 1');

  // started as torchrun starts it (rank, world size and rendezvous in the environment), on "two machines"
  const port = await freePort();
  const ranks = await Promise.all(
    ['0', '1'].map((rank) =>
      python([join(folder, 'train.py'), data, '--epochs', '10', '--out', join(dir, 'torchrun')], {
        RANK: rank,
        LOCAL_RANK: '0',
        WORLD_SIZE: '2',
        MASTER_ADDR: '127.0.0.1',
        MASTER_PORT: String(port),
      }),
    ),
  );
  ranks.forEach((r) => assert.equal(r.code, 0, r.stderr));
  assertSameWeights(readFolder(join(dir, 'torchrun')).network, readFolder(join(dir, 'trained2')).network, 0, 'torchrun-style and --nproc 2');

  const imported = cli(['import', join(dir, 'trained2'), '--out', join(dir, 'after.json')]);
  assert.equal(imported.status, 0, imported.stderr);
  const [before, after] = [cli(['evaluate', '--json', modelPath, data]), cli(['evaluate', '--json', join(dir, 'after.json'), data])];
  assert.equal(after.status, 0, after.stderr);
  const [b, a] = [JSON.parse(before.stdout), JSON.parse(after.stdout)];
  assert.ok(a.loss < b.loss, `the loss went from ${b.loss} to ${a.loss}`);
  assert.equal(Model.parse(readFileSync(join(dir, 'after.json'), 'utf8')).file.training.history.epochs, 12);
});

test('an exported folder imports back unchanged: model.json\'s float64 weights are kept', () => {
  const c = interopCase('iris', iris, { layers: [5] });
  const dir = writeFolder(c.model, join(tempDir(), 'pt'));
  assert.equal(readFolder(dir).toText(), c.model.toText());
});

test('train.py refuses bad input in one line, exit code 1, writing nothing', { skip }, async () => {
  const c = interopCase('iris', iris, { layers: [5] });
  const dir = writeFolder(c.model, join(tempDir(), 'pt'));
  const bad = join(dir, '..', 'bad.csv');
  writeFileSync(bad, 'sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,1.4,0.2,setosa\n5,3,1,0.2,tulip\n');
  const out = join(dir, '..', 'out');
  const r = await python([join(dir, 'train.py'), bad, '--out', out]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "bad.csv row 3, column 5 ('species'): class 'tulip' was not among the model's classes (setosa, versicolor, virginica)\n");
  const lr = await python([join(dir, 'train.py'), irisPath, '--lr', '-1', '--out', out]);
  assert.equal(lr.code, 1);
  assert.match(lr.stderr, /^train\.py: --lr must be a positive number, got -1\.0\n$/);
  assert.equal(spawnSync('ls', [out]).status, 2, 'nothing is written');
});

/** Runs import on an exported folder changed by `edit`; returns the one-line error. */
function importFails(edit: (dir: string) => void): string {
  const c = interopCase('iris', iris, { layers: [5] });
  const dir = writeFolder(c.model, join(tempDir(), 'pt'));
  edit(dir);
  const out = join(dir, '..', 'out.json');
  const r = cli(['import', dir, '--out', out]);
  assert.equal(r.status, 1, r.stdout);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.equal(existsSync(out), false, 'nothing is written');
  return r.stderr;
}

test('a PyTorch folder import cannot read is refused in one line naming the file and what is wrong, exit code 1, nothing written', () => {
  const st = (dir: string) => join(dir, 'model.safetensors');
  const header = (dir: string) => {
    const bytes = readFileSync(st(dir));
    const length = Number(bytes.readBigUInt64LE(0));
    return { bytes, length, json: JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')) };
  };
  /** The file with its header replaced (padded to the same length, so that the data stays where it was). */
  const rewrite = (dir: string, change: (json: any) => void) => {
    const { bytes, length, json } = header(dir);
    change(json);
    const text = JSON.stringify(json);
    assert.ok(text.length <= length);
    writeFileSync(st(dir), Buffer.concat([bytes.subarray(0, 8), Buffer.from(text.padEnd(length, ' ')), bytes.subarray(8 + length)]));
  };
  assert.match(importFails((dir) => rmSync(st(dir))), /cannot read the weights '.*pt\/model\.safetensors': no such file/);
  assert.match(importFails((dir) => writeFileSync(st(dir), readFileSync(st(dir)).subarray(0, 5))), /pt\/model\.safetensors: is 5 bytes long, too short/);
  assert.match(importFails((dir) => writeFileSync(st(dir), readFileSync(st(dir)).subarray(0, 300))), /pt\/model\.safetensors: the header length says \d+ bytes, but only 292 bytes follow it/);
  assert.match(
    importFails((dir) => writeFileSync(st(dir), readFileSync(st(dir)).subarray(0, -12))),
    /pt\/model\.safetensors: tensor '[\w.]+' needs bytes \d+ to \d+ of the data, but the file holds only \d+ bytes of data \(truncated\?\)/,
  );
  assert.match(
    importFails((dir) => rewrite(dir, (j) => (j['layers.0.weight'].shape = [5, 5]))),
    /pt\/model\.safetensors: tensor 'layers\.0\.weight' is F32 of shape \[5, 5\], 100 bytes, but its data_offsets \[0, 80\] span 80 bytes/,
  );
  assert.match(
    importFails((dir) => rewrite(dir, (j) => (j['layers.0.weight'].data_offsets = [0, 40]) && (j['layers.0.weight'].shape = [5, 2]))),
    /pt\/model\.safetensors: tensor '[\w.]+' starts at byte 80 of the data, expected 40: the header's offsets leave a gap or overlap/,
  );
  assert.match(
    importFails((dir) => writeFileSync(st(dir), encodeSafetensors([{ name: 'layers.0.weight', shape: [4, 5], values: new Float64Array(20) }]))),
    /pt\/model\.safetensors: tensor 'layers\.0\.weight' has shape \[4, 5\], but .*pt\/model\.json says layer 1 takes 4 inputs to 5 units: expected \[5, 4\]/,
  );
  assert.match(
    importFails((dir) => rewrite(dir, (j) => (j['layers.1.bias'].dtype = 'I64'))),
    /tensor 'layers\.1\.bias' has dtype "I64": expected F32 or F64/,
  );
});

test('safetensors: written and read back with its metadata; float64 tensors read too; the data part starts on an 8-byte boundary', () => {
  const bytes = encodeSafetensors(
    [
      { name: 'a', shape: [2, 3], values: [1, 2.5, -3, 0.1, 1e30, -0] },
      { name: 'b', shape: [0], values: [] },
    ],
    { format: 'pt' },
  );
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + headerLength) % 8, 0);
  const { metadata, tensors } = decodeSafetensors(bytes, 'x.safetensors');
  assert.deepEqual(metadata, { format: 'pt' });
  assert.deepEqual(tensors.get('a')!.shape, [2, 3]);
  assert.deepEqual(Array.from(tensors.get('a')!.values), [1, 2.5, -3, Math.fround(0.1), Math.fround(1e30), -0]);
  assert.equal(tensors.get('b')!.values.length, 0);

  const header = new TextEncoder().encode(JSON.stringify({ c: { dtype: 'F64', shape: [2], data_offsets: [0, 16] } }));
  const f64 = new Uint8Array(8 + header.length + 16);
  const view = new DataView(f64.buffer);
  view.setBigUint64(0, BigInt(header.length), true);
  f64.set(header, 8);
  view.setFloat64(8 + header.length, 0.1, true);
  view.setFloat64(16 + header.length, -2, true);
  assert.deepEqual(Array.from(decodeSafetensors(f64).tensors.get('c')!.values), [0.1, -2]);
});
