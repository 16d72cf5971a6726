// Regularisation in the playground: the L1 and L2 controls reach the library's fit options (a step
// is the library's step with the same l1 and l2, either or both), the training loss shown includes
// the penalty, the settings go into the address and come back from it, and an older address with
// one kind and its rate still opens with it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import '../src/hook.js';
import { Network } from '../../src/index.js';
import { penaltyValue } from '../../src/nn/penalty.js';
import { makeDataset } from '../src/datasets.js';
import { wantsOneHot } from '../src/config.js';
import { open, start, type Harness } from './harness.js';
import { libraryStep, snapshot, steps, WAIT, weightsOf } from './helpers.js';

let h: Harness;
before(async () => {
  h = await start();
});
after(async () => {
  await h?.close();
});

test('with L1 and L2 both on, a step is the library\'s step with l1 and l2, and the training loss shown includes both penalties', async () => {
  const { page, problems } = await open(h);
  await page.goto(`${h.url}#dataset=circle&l1=0.01&l2=0.1`);
  await page.waitForFunction(() => window.backpropPlayground.config().l2 === 0.1, undefined, WAIT);
  await page.locator('.matrix[data-name="X"]').waitFor(WAIT);
  assert.equal(await page.locator('#l1').inputValue(), '0.01');
  assert.equal(await page.locator('#l2').inputValue(), '0.1');
  const b = await snapshot(page);
  assert.deepEqual([b.config.l1, b.config.l2], [0.01, 0.1]);
  await steps(page, 1);
  const a = await snapshot(page);
  const expected = libraryStep(b); // the library's fit with fitOptions(config): l1 0.01 and l2 0.1
  assert.deepEqual(weightsOf(a.model), expected);
  // neither penalty alone would have gone there
  assert.notDeepEqual(weightsOf(a.model), libraryStep({ ...b, config: { ...b.config, l1: 0 } }));
  assert.notDeepEqual(weightsOf(a.model), libraryStep({ ...b, config: { ...b.config, l2: 0 } }));

  // the loss shown: the data loss on the training rows plus 0.1/2·ΣW² + 0.01·Σ|W| of the weights now
  const net = Network.fromJSON(a.model);
  const data = makeDataset(a.config.data, wantsOneHot(a.config));
  const dataLoss = net.lossOn(net.input(data.trainX), net.input(data.trainY));
  const penalty = penaltyValue(net.layers, { l1: 0.01, l2: 0.1 });
  const l2Only = penaltyValue(net.layers, { l1: 0, l2: 0.1 });
  assert.ok(penalty - l2Only > 0.01, `penalty ${penalty}, of it L2 ${l2Only}`);
  await page.waitForFunction((t) => document.getElementById('train-loss')!.textContent === t, (dataLoss + penalty).toFixed(4), WAIT);
  assert.notEqual((dataLoss + l2Only).toFixed(4), (dataLoss + penalty).toFixed(4));
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the L1 and L2 controls go into the address and come back from it, and change from the next step on', async () => {
  const { page, problems } = await open(h);
  await page.locator('.matrix[data-name="X"]').waitFor(WAIT);
  for (const id of ['#l1', '#l2']) {
    assert.equal(await page.locator(id).inputValue(), '0');
    assert.equal(await page.locator(`${id} option:checked`).innerText(), 'off');
  }
  assert.deepEqual(await page.locator('#l1 option').allInnerTexts(), ['off', '0.0001', '0.001', '0.003', '0.01', '0.03', '0.1']);
  await steps(page, 3);
  const before = await snapshot(page);
  await page.selectOption('#l1', '0.03');
  await page.selectOption('#l2', '0.001');
  await page.waitForFunction(() => window.backpropPlayground.config().l2 === 0.001, undefined, WAIT);
  // a live setting: the network and its place in the run are kept
  const b = await snapshot(page);
  assert.equal(b.step, 3);
  assert.deepEqual(b.model, before.model);
  await steps(page, 1);
  assert.deepEqual(weightsOf((await snapshot(page)).model), libraryStep(b));
  const url = page.url();
  assert.match(url, /&l1=0\.03&l2=0\.001$/);
  const config = await page.evaluate(() => window.backpropPlayground.config());

  const other = await open(h);
  await other.page.goto(url);
  await other.page.waitForFunction(() => window.backpropPlayground.config().l1 === 0.03, undefined, WAIT);
  await other.page.locator('.matrix[data-name="X"]').waitFor(WAIT);
  assert.deepEqual(JSON.parse(JSON.stringify(await other.page.evaluate(() => window.backpropPlayground.config()))), JSON.parse(JSON.stringify(config)));
  assert.equal(await other.page.locator('#l1').inputValue(), '0.03');
  assert.equal(await other.page.locator('#l2').inputValue(), '0.001');
  const c = await snapshot(other.page);
  await steps(other.page, 1);
  assert.deepEqual(weightsOf((await snapshot(other.page)).model), libraryStep(c));
  assert.deepEqual([...problems, ...other.problems], []);
  await page.context().close();
  await other.page.context().close();
});

test('an older address with reg=l2&regRate=0.01 opens with L2 0.01 and L1 off, and is rewritten with l1 and l2', async () => {
  const { page, problems } = await open(h);
  await page.goto(`${h.url}#dataset=circle&reg=l2&regRate=0.01`);
  await page.waitForFunction(() => window.backpropPlayground.config().l2 === 0.01, undefined, WAIT);
  await page.locator('.matrix[data-name="X"]').waitFor(WAIT);
  assert.equal(await page.locator('#l1').inputValue(), '0');
  assert.equal(await page.locator('#l2').inputValue(), '0.01');
  await page.waitForFunction(() => location.hash.endsWith('&l1=0&l2=0.01'), undefined, WAIT);
  assert.doesNotMatch(page.url(), /reg=|regRate=/);
  const b = await snapshot(page);
  assert.equal(b.config.l1, 0);
  await steps(page, 1);
  assert.deepEqual(weightsOf((await snapshot(page)).model), libraryStep(b));
  assert.deepEqual(problems, []);
  await page.context().close();
});
