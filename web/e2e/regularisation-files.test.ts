// Regularisation in the playground's model files and in its pass, in a real browser: a model
// exported with L2 carries it, and loading it sets the L1 and L2 controls and trains on with it;
// a command-line model with both loads with both; the step-through with L2, or L1 and L2, shows
// the W_update the library's trace gives (the penalty's gradient included), and the page's step
// subtracts exactly that.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { IRIS3, Network, parseCsv, parseModelFile, trace, trainModel } from '../../src/index.js';
import '../src/hook.js';
import { open, start, type Harness } from './harness.js';
import { libraryStep, snapshot, WAIT, weightsOf, steps } from './helpers.js';

let h: Harness;
before(async () => {
  h = await start();
});
after(async () => {
  await h?.close();
});

test('a model exported with L2 0.003 loads back with the controls at L1 off and L2 0.003, and training goes on with it', async () => {
  const { page, problems } = await open(h);
  await page.locator('.matrix[data-name="X"]').waitFor(WAIT);
  await page.selectOption('#l2', '0.003');
  await page.waitForFunction(() => window.backpropPlayground.config().l2 === 0.003, undefined, WAIT);
  await steps(page, 3);
  const text = await page.evaluate(() => window.backpropPlayground.exportModel());
  const file = parseModelFile(text, 'exported');
  assert.equal(file.training.l2, 0.003);
  assert.equal(file.training.l1, undefined);

  // other rates, then the file
  await page.selectOption('#l1', '0.1');
  await page.selectOption('#l2', '0');
  await page.waitForFunction(() => window.backpropPlayground.config().l2 === 0, undefined, WAIT);
  await page.evaluate((t) => window.backpropPlayground.loadModel(t, 'exported.json'), text);
  await page.waitForFunction(() => window.backpropPlayground.config().l2 === 0.003, undefined, WAIT);
  assert.equal(await page.locator('#l1').inputValue(), '0');
  assert.equal(await page.locator('#l2').inputValue(), '0.003');
  const b = await snapshot(page);
  assert.deepEqual(weightsOf(b.model), weightsOf(file.network as never), 'the file\'s weights');
  assert.deepEqual([b.config.l1, b.config.l2], [0, 0.003]);

  // the next step is the library's step with l2 0.003, not the one without
  await steps(page, 1);
  const a = await snapshot(page);
  assert.deepEqual(weightsOf(a.model), libraryStep(b));
  assert.notDeepEqual(weightsOf(a.model), libraryStep({ ...b, config: { ...b.config, l2: 0 } }));
  // the pass shown says so
  assert.match(await page.locator('.matrix[data-name="W1_update"] code').innerText(), /\+ l2·W1\s+\(/); // and no l1 term
  assert.deepEqual(problems, []);
  await page.context().close();
});

/** The exact values of the step-through's current matrix, row by row. */
function current(page: Page, name: string): Promise<number[]> {
  return page.$$eval(`#step-current .matrix[data-name="${name}"] td`, (tds) => tds.map((td) => Number((td as HTMLElement).title)));
}

async function stage(page: Page, title: string): Promise<void> {
  await page.waitForFunction((t) => document.getElementById('step-stage')!.textContent!.endsWith(`: ${t}`), title, WAIT);
}

test('the step-through with L1 and L2 shows the library\'s trace with both: W_update with l2·W + l1·sign(W), and the step subtracts it', async () => {
  const { page, problems } = await open(h, { width: 1280, height: 1100 });
  await page.click('#slides-preset');
  await page.locator('.matrix[data-name="H_out"]').waitFor(WAIT);
  await page.selectOption('#l2', '0.1');
  await page.waitForFunction(() => /\+ l2·W2\s+\(/.test(document.querySelector('.matrix[data-name="W2_update"] code')?.textContent ?? ''), undefined, WAIT);
  await page.selectOption('#l1', '0.01');
  await page.waitForFunction(() => /\+ l2·W2 \+ l1·sign\(W2\)\s+\(.*l2 = 0\.1, l1 = 0\.01\)/.test(document.querySelector('.matrix[data-name="W2_update"] code')?.textContent ?? ''), undefined, WAIT);
  const b = await snapshot(page);
  assert.deepEqual([b.config.l1, b.config.l2], [0.01, 0.1]);
  const t = trace(Network.fromJSON(b.model), IRIS3.X, IRIS3.Y, { l1: 0.01, l2: 0.1 });
  const plain = trace(Network.fromJSON(b.model), IRIS3.X, IRIS3.Y, { l2: 0.1 });
  // the loss of the pass includes both penalties, and says so
  const about = await page.locator('#matrices-about').innerText();
  assert.ok(about.includes(t.loss.value.toFixed(4)), about);
  assert.ok(!about.includes(plain.loss.value.toFixed(4)), about);
  assert.match(about, /\+ l2\/2·ΣW² \+ l1·Σ\|W\| over every layer's weights/);
  assert.match(await page.locator('.matrix[data-name="W1_update"] code').innerText(), /\+ l2·W1 \+ l1·sign\(W1\)\s+\(/);

  await page.click('#step-through');
  await stage(page, 'H_in');
  for (let k = 0; k < 6; k++) await page.keyboard.press('ArrowRight');
  await stage(page, 'W2_update');
  assert.deepEqual(await current(page, 'W2_update'), t.get('W2_update')!.flat());
  assert.notDeepEqual(t.get('W2_update'), plain.get('W2_update'));
  // the worked cell reads the weight too: … + 0.1·W2[1,1] + 0.01·sign(W2[1,1])
  await page.click('#step-current td[data-r="0"][data-c="0"]');
  const w = t.get('W2')![0][0];
  const shown = `${w < 0 ? '−' : ''}${Math.abs(w).toFixed(3).replace('.', '\\.')}`;
  assert.match(await page.locator('#step-arithmetic').innerText(), new RegExp(`\\+ 0\\.1·\\(?${shown}\\)? \\+ 0\\.01·sign\\(${shown}\\) = `));
  for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
  await stage(page, 'W1_update');
  assert.deepEqual(await current(page, 'W1_update'), t.get('W1_update')!.flat());
  await page.keyboard.press('ArrowRight');
  await stage(page, 'W1 ← W1 − α·W1_update');
  const next = await current(page, 'W1_new');
  assert.deepEqual(next, t.get('W1')!.flat().map((v, i) => v - 0.1 * t.get('W1_update')!.flat()[i]));

  await steps(page, 1);
  assert.deepEqual((await snapshot(page)).model.layers[0].weights.flat(), next);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a command-line model with both L1 and L2 loads with both in the controls, no notice, and trains on with both', async () => {
  const { page, problems } = await open(h);
  await page.locator('.matrix[data-name="X"]').waitFor(WAIT);
  const xor = parseCsv(readFileSync(new URL('../../data/xor.csv', import.meta.url), 'utf8'), 'xor.csv');
  const text = trainModel(xor, { layers: [4], epochs: 2, l1: 0.002, l2: 0.01 }).model.toText();
  await page.evaluate((t) => window.backpropPlayground.loadModel(t, 'both.json'), text);
  await page.waitForFunction(() => window.backpropPlayground.config().l1 === 0.002, undefined, WAIT);
  // 0.002 is not one of the choices: the file's own rate joins them, in its place
  assert.equal(await page.locator('#l1').inputValue(), '0.002');
  assert.deepEqual(await page.locator('#l1 option').allInnerTexts(), ['off', '0.0001', '0.001', '0.002', '0.003', '0.01', '0.03', '0.1']);
  assert.equal(await page.locator('#l2').inputValue(), '0.01');
  assert.equal(await page.locator('#problem').isHidden(), true);
  const b = await snapshot(page);
  assert.deepEqual([b.config.l1, b.config.l2], [0.002, 0.01]);
  await steps(page, 1);
  const a = await snapshot(page);
  assert.deepEqual(weightsOf(a.model), libraryStep(b));
  assert.notDeepEqual(weightsOf(a.model), libraryStep({ ...b, config: { ...b.config, l1: 0 } }));
  // the page's export carries both on
  const file = parseModelFile(await page.evaluate(() => window.backpropPlayground.exportModel()), 'exported');
  assert.deepEqual([file.training.l1, file.training.l2], [0.002, 0.01]);
  assert.deepEqual(problems, []);
  await page.context().close();
});
