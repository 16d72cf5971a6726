// Training that goes on while a learner watches and changes things: the matrices follow the run,
// learning rate, optimizer and batch change without starting again, and the frame time is the worker's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import '../src/hook.js';
import { open, start, type Harness } from './harness.js';
import { cells, libraryStep, snapshot, stepCount, WAIT, weightsOf } from './helpers.js';

let h: Harness;
before(async () => {
  h = await start();
});
after(async () => {
  await h?.close();
});

/** The step number the matrices panel says it shows. */
async function passShown(page: Page): Promise<number> {
  return Number(await page.locator('#matrices-about').getAttribute('data-step'));
}

async function pause(page: Page): Promise<void> {
  await page.click('#play');
  await page.waitForFunction(() => document.getElementById('play')!.getAttribute('aria-pressed') === 'false', undefined, WAIT);
}

/** Waits until the paused page shows the snapshot's step, and returns the snapshot. */
async function settled(page: Page) {
  const snap = await snapshot(page);
  await page.waitForFunction((n) => document.getElementById('step-count')!.textContent === String(n), snap.step, WAIT);
  await page.waitForFunction((n) => document.getElementById('matrices-about')!.dataset.step === String(n + 1), snap.step, WAIT);
  return snap;
}

test('defect 3: while playing, the matrices follow the run and name their step; paused, they are the next step\'s', async () => {
  const { page, problems } = await open(h);
  const first = await cells(page, 'W1');
  assert.equal(await passShown(page), 1);
  await page.selectOption('#speed', 'step:1');
  await page.click('#play');
  const seen = new Set<number>();
  await page.waitForFunction(() => Number(document.getElementById('matrices-about')!.dataset.step) > 20, undefined, WAIT);
  for (let i = 0; i < 6 && seen.size < 3; i++) {
    seen.add(await passShown(page));
    await page.waitForTimeout(300);
  }
  assert.ok(seen.size >= 2, `the matrices named steps ${[...seen].join(', ')} while playing`);
  assert.match(await page.locator('#matrices-about').innerText(), /Live while playing.*the pass of step \d+/);
  await pause(page);
  const snap = await settled(page);
  const shown = (await cells(page, 'W1')).map((c) => c.value);
  assert.deepEqual(shown, snap.model.layers[0].weights.flat());
  assert.notDeepEqual(shown, first.map((c) => c.value));
  assert.doesNotMatch(await page.locator('#matrices-about').innerText(), /Live/);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('defect 4: learning rate, optimizer and batch change from the next step on, without a reset', async () => {
  const { page, problems } = await open(h);
  await page.click('#play');
  await page.waitForFunction(() => Number(document.getElementById('step-count')!.textContent) >= 100, undefined, WAIT);
  // changed while playing: training goes on from where it was
  await page.selectOption('#learning-rate', '0.01');
  await page.waitForFunction(() => window.backpropPlayground.config().learningRate === 0.01);
  await page.waitForTimeout(200);
  assert.ok((await stepCount(page)) >= 100);
  await pause(page);
  const a = await settled(page);
  assert.ok(a.step >= 100);

  // the same optimizer keeps its state; the next step is the library's step with the new settings
  await page.selectOption('#learning-rate', '0.1');
  await page.selectOption('#batch', 'stochastic');
  await page.waitForFunction(() => window.backpropPlayground.config().batch === 'stochastic');
  const b = await snapshot(page);
  assert.equal(b.step, a.step);
  assert.deepEqual(b.model, a.model);
  assert.deepEqual(b.optimizer, a.optimizer);
  assert.equal(b.config.learningRate, 0.1);
  await page.waitForFunction(() => document.querySelectorAll('.matrix[data-name="X"] tr').length === 1, undefined, WAIT);
  await page.click('#step');
  await page.waitForFunction((n) => document.getElementById('step-count')!.textContent === String(n), a.step + 1, WAIT);
  assert.deepEqual(weightsOf((await snapshot(page)).model), libraryStep(b));

  // another optimizer starts with a fresh state, on the same weights
  await page.selectOption('#optimizer', 'momentum');
  await page.waitForFunction(() => window.backpropPlayground.config().optimizer === 'momentum');
  const c = await snapshot(page);
  assert.equal(c.step, a.step + 1);
  assert.notDeepEqual(c.optimizer, b.optimizer);
  await page.click('#step');
  await page.waitForFunction((n) => document.getElementById('step-count')!.textContent === String(n), a.step + 2, WAIT);
  assert.deepEqual(weightsOf((await snapshot(page)).model), libraryStep(c));
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('defect 5: frame time counts the worker\'s frames, not the screen\'s; Reset clears it', async (t) => {
  const { page, problems } = await open(h);
  await page.selectOption('#speed', 'epoch:100');
  await page.click('#play');
  // every worker frame is 100 epochs: the epoch counter counts them
  await page.waitForFunction(() => Number(document.getElementById('epoch-count')!.textContent) >= 800, undefined, { timeout: 60_000 });
  await pause(page);
  await settled(page);
  const frames = Number(await page.locator('#epoch-count').innerText()) / 100;
  const stats = await page.evaluate(() => window.backpropPlayground.frameStats());
  t.diagnostic(`${frames} worker frames: ${JSON.stringify(stats)}`);
  assert.ok(stats && stats.frames <= frames - 1 && stats.frames >= frames - 2, `${stats?.frames} intervals for ${frames} worker frames`);
  assert.match(await page.locator('#frame-time').innerText(), /between the worker's frames/);
  await page.click('#reset');
  await page.waitForFunction(() => document.getElementById('step-count')!.textContent === '0', undefined, WAIT);
  assert.equal(await page.locator('#frame-time').innerText(), '–');
  assert.equal(await page.evaluate(() => window.backpropPlayground.frameStats()), undefined);
  assert.deepEqual(problems, []);
  await page.context().close();
});
