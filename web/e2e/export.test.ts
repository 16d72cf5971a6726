// Export for PyTorch and TF.js: the files the page offers are saved as a person saves them, and
// PyTorch (Debian's, at /usr/bin/python3) and TensorFlow.js give the page's predictions from them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import * as tf from '@tensorflow/tfjs';
import { decodeSafetensors } from '../../src/pytorch.js';
import '../src/hook.js';
import { open, start, type Harness } from './harness.js';
import { snapshot, WAIT } from './helpers.js';

let h: Harness;
before(async () => {
  h = await start();
});
after(async () => {
  await h?.close();
});

const PYTHON = '/usr/bin/python3';
const noTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0;

/** Clicks an export button and saves every file it offers into a new folder; the file names in order. */
async function saveExport(page: Page, button: string): Promise<{ dir: string; names: string[] }> {
  await page.click(button);
  const links = page.locator('#export-files .file-link');
  await links.first().waitFor(WAIT);
  const dir = mkdtempSync(join(tmpdir(), 'backprop-export-'));
  const names: string[] = [];
  for (let i = 0; i < (await links.count()); i++) {
    const [file] = await Promise.all([page.waitForEvent('download'), links.nth(i).click()]);
    names.push(file.suggestedFilename());
    await file.saveAs(join(dir, file.suggestedFilename()));
  }
  return { dir, names };
}

function within(got: number[][], want: number[][], tol: number, what: string): void {
  assert.equal(got.length, want.length);
  got.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - want[i][j]) <= tol, `${what}[${i}][${j}]: ${v}, the page ${want[i][j]}`)));
}

/** Trains the page a little on `dataset`, so the weights are not the initial ones. */
async function trained(page: Page, dataset: string): Promise<void> {
  await page.selectOption('#dataset', dataset);
  await page.waitForFunction((d) => window.backpropPlayground.config().data.name === d, dataset, WAIT);
  await page.selectOption('#speed', 'epoch:5');
  await page.click('#play');
  await page.waitForFunction(() => Number(document.getElementById('epoch-count')!.textContent) >= 20, undefined, WAIT);
  await page.click('#play');
  await page.waitForFunction(() => document.getElementById('play')!.getAttribute('aria-pressed') === 'false', undefined, WAIT);
}

const POINTS: Record<string, number[][]> = {
  xor: [[0.5, 0.5], [-0.4, 0.7], [0.9, -0.2], [-0.6, -0.8], [0.05, 0.01]],
  // petal length and width (cm), the page's Iris features: 3 softmax outputs
  iris: [[1.4, 0.2], [4.3, 1.3], [6.1, 2.3], [5.1, 1.8]],
};

for (const dataset of ['xor', 'iris'] as const) {
  test(`${dataset}: the PyTorch files hold the page's weights, and model.py gives the page's predictions within 1e-5`, async (t) => {
    const { page, problems } = await open(h);
    await trained(page, dataset);
    const { dir, names } = await saveExport(page, '#export-pytorch');
    assert.deepEqual(names, ['model.safetensors', 'model.json', 'model.py', 'train.py']);
    const snap = await snapshot(page);
    assert.match(await page.locator('#export-files .hint').innerText(), new RegExp(`^The network at step ${snap.step}\\. .*model\\.load`));
    const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))), 'model.safetensors');
    snap.model.layers.forEach((layer, i) => {
      const w = tensors.get(`layers.${i}.weight`)!;
      assert.deepEqual(w.shape, [layer.weights[0].length, layer.weights.length]);
      // PyTorch's Linear keeps out × in: the transpose of W, in float32
      layer.weights.forEach((row, r) => row.forEach((v, c) => assert.equal(w.values[c * layer.weights.length + r], Math.fround(v))));
    });
    assert.equal(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).format, 'backprop-model');
    assert.equal(snap.config.data.name, dataset);
    const points = POINTS[dataset];
    const want = await page.evaluate((rows) => window.backpropPlayground.predict(rows), points);
    if (noTorch) {
      t.diagnostic(`PyTorch is not installed for ${PYTHON} (apt-get install python3-torch): model.py was not run`);
    } else {
      const script = 'import json, sys, torch\nsys.path.insert(0, sys.argv[1])\nimport model\nm = model.load(sys.argv[1])\n' +
        'with torch.no_grad(): print(json.dumps(m(torch.tensor(json.loads(sys.argv[2]), dtype=torch.float32)).tolist()))\n';
      writeFileSync(join(dir, 'check.py'), script);
      const out = execFileSync(PYTHON, [join(dir, 'check.py'), dir, JSON.stringify(points)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
      within(JSON.parse(out), want, 1e-5, 'PyTorch');
      t.diagnostic(`PyTorch on ${points.length} points: ${out.trim()}`);
    }
    assert.deepEqual(problems, []);
    await page.context().close();
  });
}

test('the TF.js files: a valid model.json whose manifest names model.weights.bin of the right length; TensorFlow.js gives the page\'s predictions', async () => {
  const { page, problems } = await open(h);
  await trained(page, 'xor');
  const { dir, names } = await saveExport(page, '#export-tfjs');
  assert.deepEqual(names, ['model.json', 'model.weights.bin']);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  assert.equal(json.format, 'layers-model');
  assert.equal(json.modelTopology.class_name, 'Sequential');
  assert.deepEqual(json.weightsManifest[0].paths, ['model.weights.bin']);
  const weights = json.weightsManifest[0].weights as { name: string; shape: number[]; dtype: string }[];
  assert.ok(weights.every((w) => w.dtype === 'float32'));
  const bytes = readFileSync(join(dir, 'model.weights.bin'));
  const snap = await snapshot(page);
  assert.equal(bytes.length, weights.reduce((s, w) => s + 4 * w.shape.reduce((a, b) => a * b, 1), 0));
  // every layer of the page's network, kernel inputs × units; one sigmoid output for two classes is
  // written as a regression on the 0/1 target, whose (identity) unscaling is one Dense 1×1 more
  snap.model.layers.forEach((l, i) => {
    assert.deepEqual(weights.find((w) => w.name === `dense_${i + 1}/kernel`)?.shape, [l.weights.length, l.weights[0].length]);
  });
  assert.deepEqual(weights.slice(2 * snap.model.layers.length).map((w) => w.name), ['unscale_target/kernel', 'unscale_target/bias']);

  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: weights as tf.io.WeightsManifestEntry[],
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
    }),
  );
  const points = POINTS.xor;
  const got = (model.predict(tf.tensor2d(points)) as tf.Tensor).arraySync() as number[][];
  within(got, await page.evaluate((rows) => window.backpropPlayground.predict(rows), points), 1e-5, 'TF.js');
  assert.deepEqual(problems, []);
  await page.context().close();
});
