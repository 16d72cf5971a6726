// Defect 7: the small things a newcomer trips on: the chart's legend, long decimals in formulas,
// the plot's axes, test points over training points, Slides without test data, Iris's two axes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import '../src/hook.js';
import { open, start, type Harness } from './harness.js';
import { WAIT } from './helpers.js';

let h: Harness;
before(async () => {
  h = await start();
});
after(async () => {
  await h?.close();
});

test('the loss line stays out of the legend\'s strip', async () => {
  const { page, problems } = await open(h);
  await page.click('#play');
  await page.waitForFunction(() => Number(document.getElementById('step-count')!.textContent) >= 60, undefined, WAIT);
  await page.click('#play');
  await page.waitForFunction(() => document.getElementById('play')!.getAttribute('aria-pressed') === 'false');
  const strip = await page.evaluate(() => {
    const c = document.getElementById('chart') as HTMLCanvasElement;
    const [, , w, hgt] = c.dataset.legend!.split(' ').map(Number);
    const [left, top] = c.dataset.plot!.split(' ').map(Number);
    // the strip left of the legend's words: nothing may be drawn there
    const px = c.getContext('2d')!.getImageData(left + 2, 0, w - 90 - left, hgt).data;
    let inked = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) inked++;
    return { inked, hgt, top };
  });
  assert.equal(strip.inked, 0);
  assert.ok(strip.top > strip.hgt);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('formulas show short decimals; Slides has no test data to show', async () => {
  const { page, problems } = await open(h);
  assert.equal(await page.locator('#show-test').isVisible(), true);
  await page.click('#slides-preset');
  // the slides' pass has one hidden layer: H_out, not H1_out
  await page.locator('.matrix[data-name="H_out"]').waitFor(WAIT);
  const formula = await page.locator('.matrix[data-name="W2_update"] code').innerText();
  assert.match(formula, /1\/N = 0\.3333\)/);
  const all = await page.locator('.matrix code').allInnerTexts();
  assert.deepEqual(all.filter((f) => /\d\.\d{5,}/.test(f)), []);
  assert.equal(await page.locator('#show-test').isVisible(), false);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the boundary plot has axis ticks in the data\'s units; shown test points leave the training points whole', async () => {
  const { page, problems } = await open(h);
  const ticks = (axis: string) =>
    page.$$eval(`#ticks-${axis} span`, (spans) =>
      spans.map((s) => ({ value: Number((s as HTMLElement).dataset.value), box: s.getBoundingClientRect().toJSON() as DOMRect })),
    );
  const x = await ticks('x');
  const y = await ticks('y');
  assert.ok(x.length >= 3 && y.length >= 3, `${x.length} x ticks, ${y.length} y ticks`);
  assert.ok(x.every((t, i) => i === 0 || (t.value > x[i - 1].value && t.box.x > x[i - 1].box.x)));
  assert.ok(y.every((t, i) => i === 0 || (t.value > y[i - 1].value && t.box.y < y[i - 1].box.y)));
  assert.ok(x.some((t) => t.value === 0) && x.every((t) => Math.abs(t.value) <= 1.2));

  // every training point far enough from the others keeps its class colour at its centre
  await page.check('#show-test');
  const spoiled = await page.evaluate(() => {
    const dots = window.backpropPlayground.trainingDots();
    const c = document.getElementById('boundary') as HTMLCanvasElement;
    const image = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    const alone = dots.filter((d) => dots.every((o) => o === d || Math.hypot(o.x - d.x, o.y - d.y) > 7));
    return {
      alone: alone.length,
      spoiled: alone.filter((d) => {
        const at = (Math.floor(d.y) * image.width + Math.floor(d.x)) * 4;
        return [0, 1, 2].some((k) => Math.abs(image.data[at + k] - d.color[k]) > 3);
      }).length,
    };
  });
  assert.ok(spoiled.alone > 50, `${spoiled.alone} training points`);
  assert.equal(spoiled.spoiled, 0);

  // Iris's ticks are centimetres, not standardised units
  await page.selectOption('#dataset', 'iris');
  await page.waitForFunction(() => window.backpropPlayground.config().data.name === 'iris');
  await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#ticks-x span:last-child')?.dataset.value) >= 6, undefined, WAIT);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('Iris: choosing the y feature for x swaps the two, and says so', async () => {
  const { page, problems } = await open(h);
  await page.selectOption('#dataset', 'iris');
  await page.waitForFunction(() => window.backpropPlayground.config().data.name === 'iris');
  assert.deepEqual((await page.evaluate(() => window.backpropPlayground.config())).data.irisFeatures, [2, 3]);
  await page.selectOption('#iris-x', '3');
  await page.waitForFunction(() => window.backpropPlayground.config().data.irisFeatures.join() === '3,2', undefined, WAIT);
  assert.equal(await page.locator('#iris-y').inputValue(), '2');
  assert.match(await page.locator('#iris-note').innerText(), /swapped \(x: petal width, y: petal length\)/);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('hints: saturated tanh units are named under the diagram, with why learning stalls', async () => {
  const { page, problems } = await open(h);
  for (let i = 1; i <= 3; i++) await page.getByLabel(`Activation of hidden layer ${i}`).selectOption('tanh');
  await page.selectOption('#learning-rate', '1');
  await page.waitForFunction(() => window.backpropPlayground.config().learningRate === 1 && window.backpropPlayground.config().hidden[2].activation === 'tanh');
  assert.equal(await page.locator('#hints').isVisible(), false);
  await page.click('#play');
  await page.locator('#hints').waitFor({ state: 'visible', ...WAIT });
  await page.click('#play');
  assert.match(await page.locator('#hints').innerText(), /Hidden layer \d: \d of 8 tanh units are saturated \(\|z\| > 5 for most rows\).*learning stalls/);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the default settings draw a clean two-spirals boundary: 90 % test accuracy within 300 epochs', async (t) => {
  const { page, problems } = await open(h);
  await page.selectOption('#dataset', 'spirals');
  await page.waitForFunction(() => window.backpropPlayground.config().data.name === 'spirals');
  await page.selectOption('#speed', 'epoch:20');
  await page.click('#play');
  const seen = await page.waitForFunction(
    () => {
      const epoch = Number(document.getElementById('epoch-count')!.textContent);
      const acc = parseFloat(document.getElementById('test-accuracy')!.textContent!);
      return acc >= 90 || epoch >= 300 ? { epoch, acc } : false;
    },
    undefined,
    { timeout: 60_000, polling: 'raf' },
  );
  const { epoch, acc } = (await seen.jsonValue()) as { epoch: number; acc: number };
  await page.click('#play');
  t.diagnostic(`two spirals, default network: ${acc} % test accuracy at epoch ${epoch}`);
  assert.ok(acc >= 90, `${acc} % at epoch ${epoch}`);
  assert.deepEqual(problems, []);
  await page.context().close();
});
