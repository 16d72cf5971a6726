// The playground in a real browser: Debian's Chromium driven by playwright-core against the built site.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import '../src/hook.js';
import { open, RESULTS, start, type Harness } from './harness.js';
import { cells, libraryStep, playUntil, snapshot, stepCount, WAIT, waitForCell, weightsOf } from './helpers.js';

let h: Harness;
before(async () => {
  h = await start();
});
after(async () => {
  await h?.close();
});

test('the page loads with no console errors, and every control has a name', async () => {
  const { page, problems } = await open(h);
  const unnamed = await page.$$eval('button, select, input', (els) =>
    els
      .filter((el) => !(el as HTMLElement).closest('[hidden]'))
      .filter((el) => {
        const e = el as HTMLInputElement;
        return !(e.labels?.length || e.getAttribute('aria-label') || (e.tagName === 'BUTTON' && e.textContent?.trim()));
      })
      .map((el) => el.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unnamed, []);
  assert.equal(await page.locator('.matrix').count() > 10, true);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('XOR with the default network reaches test loss < 0.05 within 2,000 steps; screenshot of the trained page', async (t) => {
  const { page, problems } = await open(h);
  const seen = await playUntil(page, 0.05, 2000);
  t.diagnostic(`test loss ${seen.loss} at step ${seen.step}`);
  assert.ok(seen.loss < 0.05 && seen.step <= 2000, `test loss ${seen.loss} at step ${seen.step}`);
  await page.screenshot({ path: `${RESULTS}xor-trained.png` });
  await page.screenshot({ path: `${RESULTS}xor-trained-full.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the Slides preset shows O_delta −0.09 and W2_update under the chosen loss convention', async () => {
  const { page, problems } = await open(h);
  await page.click('#slides-preset');
  await page.selectOption('#digits', '2');
  await waitForCell(page, 'O_delta', '−0.09');
  assert.equal((await cells(page, 'H_out'))[0].text, '0.81');
  assert.deepEqual((await cells(page, 'X')).slice(0, 4).map((c) => c.value), [4.9, 3.0, 1.4, 0.2]);

  await page.selectOption('#digits', '3');
  await waitForCell(page, 'W2_update', '0.069');
  assert.deepEqual((await cells(page, 'W2_update')).map((c) => c.text), ['0.069', '0.009', '0.059', '0.040', '0.009', '0.056']);
  assert.match(await page.locator('.matrix[data-name="W2_update"] code').innerText(), /1\/N · H_outᵀ·O_delta/);

  await page.selectOption('#loss', 'half-mean-over-elements');
  await waitForCell(page, 'W2_update', '0.023');
  assert.deepEqual((await cells(page, 'W2_update')).map((c) => c.text), ['0.023', '0.003', '0.020', '0.013', '0.003', '0.019']);
  assert.match(await page.locator('.matrix[data-name="W2_update"] code').innerText(), /1\/\(NK\)/);
  assert.equal((await cells(page, 'O_delta'))[0].text, '−0.090');
  await page.screenshot({ path: `${RESULTS}slides-example.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await page.context().close();
});

/** Takes `count` single steps on the page and checks each against the library; returns the largest difference seen. */
async function checkSteps(page: Page, count: number, exact: boolean): Promise<number> {
  let worst = 0;
  const first = await stepCount(page);
  for (let k = 1; k <= count; k++) {
    const before = await snapshot(page);
    await page.click('#step');
    await page.waitForFunction((n) => document.getElementById('step-count')!.textContent === String(n), first + k, WAIT);
    const after = await snapshot(page);
    const got = weightsOf(after.model);
    const want = libraryStep(before);
    assert.equal(after.step, first + k);
    assert.notDeepEqual(got, weightsOf(before.model));
    if (exact) assert.deepEqual(got, want, `step ${k}`);
    got.forEach((w, i) => (worst = Math.max(worst, Math.abs(w - want[i]) / Math.max(1, Math.abs(want[i])))));
  }
  return worst;
}

test('a single step changes the weights exactly as one step of the library\'s fit', async (t) => {
  const { page, problems } = await open(h);
  // relu layers, a linear output and momentum: arithmetic only
  await page.getByLabel('Activation of hidden layer 1').selectOption('relu');
  await page.getByLabel('Activation of hidden layer 2').selectOption('relu');
  await page.getByLabel('Activation of the output layer').selectOption('linear');
  await page.selectOption('#optimizer', 'momentum');
  await page.waitForFunction(() => {
    const c = window.backpropPlayground.config();
    return c.optimizer === 'momentum' && c.outputActivation === 'linear' && c.hidden.every((l) => l.activation === 'relu');
  });
  await page.waitForFunction(() => document.getElementById('step-count')!.textContent === '0', undefined, WAIT);
  await checkSteps(page, 3, true);

  // the default network (relu, sigmoid, Adam): exp and Adam's powers are the library's own
  // (src/nn/math.ts), not the engine's Math, so Chromium and Node agree exactly here too
  await page.reload();
  await page.locator('.matrix[data-name="X"]').waitFor();
  const worst = await checkSteps(page, 3, true);
  t.diagnostic(`default network, 3 steps: largest relative difference from Node's library ${worst.toExponential(2)}`);

  // plain gradient descent: the weights move by exactly −learning rate · the W_update the page shows
  await page.selectOption('#optimizer', 'sgd');
  await page.waitForFunction(() => window.backpropPlayground.config().optimizer === 'sgd');
  // the optimizer changes from the next step on: the network trains on from step 3
  const before = await snapshot(page);
  assert.equal(before.step, 3);
  assert.equal(before.config.optimizer, 'sgd');
  // a step's own frame shows the pass it took; the settings' frame that follows shows the next one
  await page.waitForFunction((n) => document.getElementById('matrices-about')!.dataset.step === String(n + 1), before.step, WAIT);
  const shown = await cells(page, 'W1_update');
  await page.click('#step');
  await page.waitForFunction(() => document.getElementById('step-count')!.textContent === '4', undefined, WAIT);
  const after = await snapshot(page);
  const lr = before.config.learningRate;
  const w0 = before.model.layers[0].weights.flat();
  assert.deepEqual(after.model.layers[0].weights.flat(), w0.map((w, i) => w - lr * shown[i].value));
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('training through a step activation stops with the library\'s reason, and the matrices show zero deltas', async () => {
  const { page, problems } = await open(h);
  await page.click('#slides-preset');
  await waitForCell(page, 'O_delta', '−0.090');
  await page.getByLabel('Activation of hidden layer 1').selectOption('step');
  await waitForCell(page, 'H_out', '1.000');
  await page.click('#step');
  const problem = page.locator('#problem');
  await problem.waitFor({ state: 'visible', ...WAIT });
  assert.equal(await problem.getAttribute('data-code'), 'untrainable');
  assert.match(await problem.innerText(), /step activation, whose derivative is 0/);
  assert.ok((await cells(page, 'H_delta')).every((c) => c.value === 0 && c.text === '0.000'));
  assert.ok((await cells(page, 'W1_update')).every((c) => c.value === 0));
  assert.ok((await cells(page, 'O_delta')).some((c) => c.value !== 0));
  assert.equal(await stepCount(page), 0);
  await page.screenshot({ path: `${RESULTS}step-activation.png` });
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('settings that do not fit together show the library\'s message, and play does not start', async () => {
  const { page, problems } = await open(h);
  await page.selectOption('#loss', 'cross-entropy');
  const problem = page.locator('#problem');
  await problem.waitFor({ state: 'visible', ...WAIT });
  assert.match(await problem.innerText(), /cross-entropy loss needs a softmax output layer, but the output activation is sigmoid/);
  await page.click('#play');
  await page.waitForFunction(() => document.getElementById('play')!.getAttribute('aria-pressed') === 'false', undefined, WAIT);
  assert.equal(await stepCount(page), 0);
  await page.getByLabel('Activation of the output layer').selectOption('softmax');
  await problem.waitFor({ state: 'hidden', ...WAIT });
  await page.locator('.matrix[data-name="O_delta"]').waitFor(WAIT);
  assert.match(await page.locator('.matrix[data-name="O_delta"] code').innerText(), /derivatives cancel/);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the controls work from the keyboard', async () => {
  const { page, problems } = await open(h);
  await page.locator('#reset').focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'play');
  await page.keyboard.press('Space');
  await page.waitForFunction(() => Number(document.getElementById('step-count')!.textContent) > 0, undefined, WAIT);
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.getElementById('play')!.getAttribute('aria-pressed') === 'false');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'step');
  await page.locator('#dataset').focus();
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => window.backpropPlayground.config().data.name === 'circle', undefined, WAIT);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('Iris with two features learns its three classes', async (t) => {
  const { page, problems } = await open(h);
  await page.selectOption('#dataset', 'iris');
  await page.waitForFunction(() => window.backpropPlayground.config().data.name === 'iris');
  await page.selectOption('#speed', 'epoch:5');
  const seen = await playUntil(page, 0.04, 3000);
  const accuracy = await page.locator('#test-accuracy').innerText();
  t.diagnostic(`Iris (petal length, petal width): test loss ${seen.loss} at step ${seen.step}, test accuracy ${accuracy}`);
  assert.ok(parseFloat(accuracy) >= 90, accuracy);
  await page.screenshot({ path: `${RESULTS}iris.png` });
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('on a phone-sized screen the page fits the width and still trains', async () => {
  const { page, problems } = await open(h, { width: 390, height: 844 });
  const seen = await playUntil(page, 0.05, 2000);
  assert.ok(seen.loss < 0.05);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  await page.screenshot({ path: `${RESULTS}xor-phone.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('frame time while training (measured and reported)', async (t) => {
  const { page, problems } = await open(h);
  // the machine's load matters to frame times: keep it beside them
  const report: Record<string, unknown> = { loadAverageAtStart: loadavg()[0] };
  const measure = async (label: string) => {
    await page.click('#play');
    await page.waitForTimeout(4000);
    const stats = await page.evaluate(() => window.backpropPlayground.frameStats());
    await page.click('#play');
    const steps = await stepCount(page);
    report[label] = { ...stats, steps };
    t.diagnostic(`${label}: ${JSON.stringify(report[label])}`);
  };
  await measure('XOR, default network 2-8-8-8-1, 1 epoch (15 steps) per frame');

  await page.selectOption('#dataset', 'spirals');
  while (await page.locator('#add-layer').isEnabled()) await page.click('#add-layer');
  for (let i = 1; i <= 6; i++) {
    const add = page.getByLabel(`Add a neuron to hidden layer ${i}`);
    while (await add.isEnabled()) await add.click();
  }
  await page.selectOption('#speed', 'epoch:100');
  await page.waitForFunction(() => window.backpropPlayground.config().hidden.every((l) => l.units === 8));
  await measure('two spirals, largest network 2-8-8-8-8-8-8-1, 100 epochs (1,500 steps) per frame');
  writeFileSync(`${RESULTS}frame-time.json`, JSON.stringify(report, null, 2) + '\n');
  await page.screenshot({ path: `${RESULTS}spirals-large.png` });
  assert.deepEqual(problems, []);
  await page.context().close();
});
