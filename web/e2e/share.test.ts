// Share a setup: every setting is in the page's address, and the address opens the same setup,
// the same network (the same weights, from the same seed) and the same data.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
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

test('every setting goes into the address, and the address opens the same setup and network', async () => {
  const { page, problems } = await open(h);
  await page.selectOption('#dataset', 'spirals');
  await page.waitForFunction(() => window.backpropPlayground.config().data.name === 'spirals');
  await page.click('#remove-layer');
  await page.getByLabel('Remove a neuron from hidden layer 2').click();
  await page.getByLabel('Activation of hidden layer 1').selectOption('tanh');
  await page.selectOption('#samples', '500');
  await page.locator('#noise').fill('0.25');
  await page.locator('#noise').dispatchEvent('change');
  await page.selectOption('#loss', 'mean-over-elements');
  await page.selectOption('#optimizer', 'rmsprop');
  await page.selectOption('#learning-rate', '0.003');
  await page.selectOption('#batch', 'mini');
  await page.fill('#batch-size', '25');
  await page.locator('#batch-size').dispatchEvent('change');
  await page.fill('#seed', '77');
  await page.locator('#seed').dispatchEvent('change');
  await page.uncheck('#bias');
  await page.waitForFunction(() => window.backpropPlayground.config().bias === false && window.backpropPlayground.config().seed === 77, undefined, WAIT);
  const config = await page.evaluate(() => window.backpropPlayground.config());
  assert.deepEqual(config.hidden, [{ units: 8, activation: 'tanh' }, { units: 7, activation: 'relu' }]);
  assert.equal(config.data.noise, 0.25);
  const url = page.url();
  assert.match(url, /#dataset=spirals&points=500&noise=0\.25&.*layers=8%3Atanh%2C7%3Arelu&.*optimizer=rmsprop&lr=0\.003&.*seed=77/);
  const before = await snapshot(page);

  const other = await open(h);
  await other.page.goto(url);
  await other.page.waitForFunction((seed) => window.backpropPlayground.config().seed === seed, 77, WAIT);
  await other.page.locator('.matrix[data-name="X"]').waitFor(WAIT);
  const restored = await other.page.evaluate(() => window.backpropPlayground.config());
  assert.deepEqual(JSON.parse(JSON.stringify(restored)), JSON.parse(JSON.stringify(config)));
  const after = await snapshot(other.page);
  assert.deepEqual(after.model, before.model);
  assert.equal(await other.page.locator('#dataset').inputValue(), 'spirals');
  assert.equal(await other.page.locator('#optimizer').inputValue(), 'rmsprop');
  assert.equal(await other.page.locator('#batch-size').inputValue(), '25');
  assert.deepEqual([...problems, ...other.problems], []);
  await page.context().close();
  await other.page.context().close();
});

test('a learning rate the list does not offer (from an address or a model file) is added once, in order, however often the controls are shown again', async () => {
  const { page, problems } = await open(h);
  const url = page.url().replace(/#.*$/, '');
  await page.goto(`${url}#dataset=xor&lr=0.02`);
  await page.waitForFunction(() => window.backpropPlayground.config().learningRate === 0.02, undefined, WAIT);
  await page.selectOption('#optimizer', 'momentum');
  await page.waitForFunction(() => window.backpropPlayground.config().optimizer === 'momentum', undefined, WAIT);
  await page.selectOption('#optimizer', 'sgd');
  await page.waitForFunction(() => window.backpropPlayground.config().optimizer === 'sgd', undefined, WAIT);
  const options = await page.locator('#learning-rate option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  assert.deepEqual(options.filter((v) => v === '0.02'), ['0.02']);
  assert.deepEqual(options.map(Number), [...options.map(Number)].sort((a, b) => a - b));
  assert.equal(await page.locator('#learning-rate').inputValue(), '0.02');
  assert.deepEqual(problems, []);
  await page.context().close();
});
