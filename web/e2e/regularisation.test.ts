// Regularisation in the playground: the control reaches the library's fit options (a step is the
// library's step with the same l1 or l2), the training loss shown includes the penalty, and the
// setting goes into the address and comes back from it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import '../src/hook.js';
import { Network } from '../../src/index.js';
import { penaltyValue } from '../../src/nn/penalty.js';
import { makeDataset } from '../src/datasets.js';
import { wantsOneHot } from '../src/config.js';
import { open, start, type Harness } from './harness.js';
import { libraryStep, snapshot, WAIT, weightsOf } from './helpers.js';

let h: Harness;
before(async () => {
  h = await start();
});
after(async () => {
  await h?.close();
});

test('with L2, a step is the library\'s step with l2, and the training loss shown includes the penalty', async () => {
  const { page, problems } = await open(h);
  await page.goto(`${h.url}#dataset=circle&reg=l2&regRate=0.1`);
  await page.waitForFunction(() => window.backpropPlayground.config().regularisation === 'l2', undefined, WAIT);
  await page.locator('.matrix[data-name="X"]').waitFor(WAIT);
  assert.equal(await page.locator('#regularisation').inputValue(), 'l2');
  assert.equal(await page.locator('#regularisation-rate').inputValue(), '0.1');
  const b = await snapshot(page);
  assert.equal(b.config.regularisationRate, 0.1);
  await page.click('#step');
  await page.waitForFunction(() => document.getElementById('step-count')!.textContent === '1', undefined, WAIT);
  const a = await snapshot(page);
  const expected = libraryStep(b); // the library's fit with fitOptions(config): l2 0.1
  assert.deepEqual(weightsOf(a.model), expected);
  // without the penalty the step would have gone elsewhere
  assert.notDeepEqual(weightsOf(a.model), libraryStep({ ...b, config: { ...b.config, regularisation: 'none' } }));

  // the loss shown: the data loss on the training rows plus 0.1/2·ΣW² of the weights now
  const net = Network.fromJSON(a.model);
  const data = makeDataset(a.config.data, wantsOneHot(a.config));
  const dataLoss = net.lossOn(net.input(data.trainX), net.input(data.trainY));
  const penalty = penaltyValue(net.layers, { l1: 0, l2: 0.1 });
  assert.ok(penalty > 0.01, `penalty ${penalty}`);
  await page.waitForFunction((t) => document.getElementById('train-loss')!.textContent === t, (dataLoss + penalty).toFixed(4), WAIT);
  assert.notEqual(dataLoss.toFixed(4), (dataLoss + penalty).toFixed(4));
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the regularisation control goes into the address and comes back from it, and L1 reaches the library too', async () => {
  const { page, problems } = await open(h);
  await page.locator('.matrix[data-name="X"]').waitFor(WAIT);
  assert.equal(await page.locator('#regularisation').inputValue(), 'none');
  assert.equal(await page.locator('#regularisation-rate').isDisabled(), true);
  await page.selectOption('#regularisation', 'l1');
  await page.selectOption('#regularisation-rate', '0.03');
  await page.waitForFunction(() => window.backpropPlayground.config().regularisationRate === 0.03, undefined, WAIT);
  assert.equal(await page.locator('#regularisation-rate').isDisabled(), false);
  const url = page.url();
  assert.match(url, /&reg=l1&regRate=0\.03/);
  const config = await page.evaluate(() => window.backpropPlayground.config());

  const other = await open(h);
  await other.page.goto(url);
  await other.page.waitForFunction(() => window.backpropPlayground.config().regularisation === 'l1', undefined, WAIT);
  await other.page.locator('.matrix[data-name="X"]').waitFor(WAIT);
  assert.deepEqual(JSON.parse(JSON.stringify(await other.page.evaluate(() => window.backpropPlayground.config()))), JSON.parse(JSON.stringify(config)));
  assert.equal(await other.page.locator('#regularisation').inputValue(), 'l1');
  assert.equal(await other.page.locator('#regularisation-rate').inputValue(), '0.03');
  const b = await snapshot(other.page);
  await other.page.click('#step');
  await other.page.waitForFunction(() => document.getElementById('step-count')!.textContent === '1', undefined, WAIT);
  assert.deepEqual(weightsOf((await snapshot(other.page)).model), libraryStep(b));
  assert.deepEqual([...problems, ...other.problems], []);
  await page.context().close();
  await other.page.context().close();
});
