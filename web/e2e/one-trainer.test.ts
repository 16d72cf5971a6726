// One library Trainer for the whole run: single steps and played epochs on the page walk the
// epochs and their shuffles as one call of the library's fit does, to the bit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { Network, fit, optimizer } from '../../src/index.js';
import { fitOptions, wantsOneHot } from '../src/config.js';
import { makeDataset } from '../src/datasets.js';
import { Session } from '../src/session.js';
import '../src/hook.js';
import { open, start, type Harness } from './harness.js';
import { libraryStep, snapshot, stepCount, WAIT, weightsOf, steps } from './helpers.js';

let h: Harness;
before(async () => {
  h = await start();
});
after(async () => {
  await h?.close();
});

test('single steps with mini-batches, then played epochs, then steps again: the weights of the library\'s fit over the same epochs', async (t) => {
  const { page, problems } = await open(h);
  const first = await snapshot(page);
  assert.equal(first.step, 0);
  assert.equal(first.config.batch, 'mini');
  const data = makeDataset(first.config.data, wantsOneHot(first.config));
  const perEpoch = Math.ceil(data.trainX.length / first.config.batchSize);

  // one epoch and a part of the next in single steps; playing finishes that epoch first
  await steps(page, perEpoch + 7);
  await page.selectOption('#speed', 'epoch:1');
  await page.click('#play');
  await page.waitForFunction((n) => Number(document.getElementById('step-count')!.textContent) >= n, 4 * perEpoch, WAIT);
  await page.click('#play');
  await page.waitForFunction(() => document.getElementById('play')!.getAttribute('aria-pressed') === 'false', undefined, WAIT);
  const played = await snapshot(page);
  assert.equal(played.step % perEpoch, 0, `a played frame ends an epoch: step ${played.step}`);
  await page.waitForFunction((n) => document.getElementById('step-count')!.textContent === String(n), played.step, WAIT);
  await steps(page, perEpoch);
  const end = await snapshot(page);
  const epochs = end.step / perEpoch;
  t.diagnostic(`${end.step} steps of ${first.config.batchSize} rows: ${epochs} epochs`);

  const net = Network.fromJSON(first.model);
  net.rng.setState(first.rng);
  fit(net, data.trainX, data.trainY, { ...fitOptions(first.config, data.trainX.length), epochs, optimizer: optimizer(first.config.optimizer) });
  assert.deepEqual(weightsOf(end.model), weightsOf(net.toJSON()));
  assert.deepEqual(end.rng, net.rng.getState());
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the seeded sets with sin, cos and normal noise, and He-initialised relu layers, are Node\'s to the bit: a page step is the library\'s step on Node\'s data', async (t) => {
  const { page, problems } = await open(h);
  for (const dataset of ['circle', 'spirals', 'gauss', 'wave']) {
    // a hash as a shared link carries it: 0.2 noise (normal draws), 500 points
    await page.evaluate((d) => (location.hash = `dataset=${d}&points=500&noise=0.2&seed=7`), dataset);
    await page.waitForFunction((d) => {
      const c = window.backpropPlayground.config();
      return c.data.name === d && c.data.noise === 0.2 && c.data.seed === 7;
    }, dataset, WAIT);
    await page.waitForFunction(() => document.getElementById('step-count')!.textContent === '0', undefined, WAIT);
    const before = await snapshot(page);
    assert.equal(before.config.hidden[0].activation, 'relu');
    // the initial weights are Node's He initialisation (normal draws) for the same seed
    const node = new Session(before.config);
    assert.deepEqual(weightsOf(before.model), weightsOf(node.net.toJSON()), `${dataset}: initial weights`);
    await page.click('#step');
    await page.waitForFunction(() => document.getElementById('step-count')!.textContent === '1', undefined, WAIT);
    const after = await snapshot(page);
    assert.deepEqual(weightsOf(after.model), libraryStep(before), dataset);
    t.diagnostic(`${dataset}: ${node.data.trainX.length} training rows; the page's initial weights and first step equal Node's`);
  }
  assert.deepEqual(problems, []);
  await page.context().close();
});
