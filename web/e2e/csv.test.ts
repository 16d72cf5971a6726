// Your own data in a real browser: a CSV file dropped on the page (or picked) is read and
// trained in the worker; 2-D data gets the boundary, wider data the accuracy chart and a
// confusion matrix, a regression the fitted curve.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import '../src/hook.js';
import { open, RESULTS, start, type Harness } from './harness.js';
import { WAIT } from './helpers.js';

let h: Harness;
before(async () => {
  h = await start();
});
after(async () => {
  await h?.close();
});

/** Drops a file on the page as a person drags one from a file manager. */
async function drop(page: Page, name: string, text: string): Promise<void> {
  const transfer = await page.evaluateHandle(
    ([n, t]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([t], n, { type: 'text/csv' }));
      return dt;
    },
    [name, text] as const,
  );
  await page.dispatchEvent('body', 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent('body', 'drop', { dataTransfer: transfer });
}

async function train(page: Page, steps: number): Promise<void> {
  await page.click('#play');
  await page.waitForFunction((n) => Number(document.getElementById('step-count')!.textContent) >= n, steps, { timeout: 60_000 });
  await page.click('#play');
  await page.waitForFunction(() => document.getElementById('play')!.getAttribute('aria-pressed') === 'false', undefined, WAIT);
}

const IRIS = readFileSync(new URL('../../data/iris.csv', import.meta.url), 'utf8');

test('a dropped 4-column CSV trains in the worker: accuracy chart and confusion matrix', async (t) => {
  const { page, problems } = await open(h);
  await drop(page, 'my-iris.csv', IRIS);
  await page.waitForFunction(() => window.backpropPlayground.config().data.name === 'csv', undefined, WAIT);
  assert.equal(await page.locator('#dataset').inputValue(), 'csv');
  await page.locator('.matrix[data-name="X"] tr').first().waitFor(WAIT);
  assert.equal(await page.locator('.matrix[data-name="X"] tr').first().locator('td').count(), 4);
  assert.match(await page.locator('#boundary-note').innerText(), /this network has 4/);
  assert.equal(await page.locator('#csv-note').innerText(), 'my-iris.csv: 150 rows, 4 inputs, 3 classes of species.');
  assert.equal(await page.locator('#show-test').isVisible(), false);
  await page.selectOption('#speed', 'epoch:5');
  await train(page, 300);
  const accuracy = parseFloat(await page.locator('#test-accuracy').innerText());
  t.diagnostic(`my-iris.csv: ${accuracy} % test accuracy`);
  assert.ok(accuracy >= 85, `${accuracy} %`);
  assert.equal(await page.locator('#accuracy-chart').isVisible(), true);
  const [card] = await page.$$eval('.panel.output', (els) => els.map((e) => e.getBoundingClientRect().right));
  const [table] = await page.$$eval('#confusion table', (els) => els.map((e) => e.getBoundingClientRect().right));
  assert.ok(table <= card, `the confusion matrix ends at ${table}px, its card at ${card}px`);
  const confusion = await page.$$eval('#confusion tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => Number(td.textContent))));
  assert.equal(confusion.length, 3);
  const ratio = (await page.evaluate(() => window.backpropPlayground.config())).data.trainRatio;
  const testRows = 150 - Math.round(150 * ratio);
  assert.equal(confusion.flat().reduce((s, v) => s + v, 0), testRows);
  assert.equal(((confusion.reduce((s, row, i) => s + row[i], 0) / testRows) * 100).toFixed(1), accuracy.toFixed(1));
  assert.deepEqual(await page.$$eval('#confusion thead th', (ths) => ths.map((th) => th.textContent)), ['', 'setosa', 'versicolor', 'virginica']);
  await page.screenshot({ path: `${RESULTS}csv-iris.png`, fullPage: false });
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a picked 2-D CSV gets the decision boundary; a regression CSV its fitted curve', async () => {
  const { page, problems } = await open(h);
  const moons = ['u,v,side'];
  for (let i = 0; i < 200; i++) {
    const a = (Math.PI * i) / 100;
    moons.push(i % 2 ? `${Math.cos(a) * 3 + 10},${Math.sin(a) * 2}` + ',left' : `${3 - Math.cos(a) * 3 + 10},${0.5 - Math.sin(a) * 2},right`);
  }
  await page.setInputFiles('#csv-file', { name: 'moons.csv', mimeType: 'text/csv', buffer: Buffer.from(moons.join('\n')) });
  await page.waitForFunction(() => window.backpropPlayground.config().data.name === 'csv', undefined, WAIT);
  await page.locator('#boundary').waitFor({ state: 'visible', ...WAIT });
  await page.waitForFunction(() => window.backpropPlayground.trainingDots().length === 100, undefined, WAIT);
  // ticks in the file's units (u runs from 10 to 16)
  await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('#ticks-x span')].some((s) => Number(s.dataset.value) >= 14), undefined, WAIT);

  const sine = ['x,y', ...Array.from({ length: 200 }, (_, i) => `${(-2 + (4 * i) / 199).toFixed(4)},${(3 * Math.sin(1.5 * (-2 + (4 * i) / 199)) + 10).toFixed(4)}`)];
  await drop(page, 'sine.csv', sine.join('\n'));
  await page.waitForFunction(() => window.backpropPlayground.config().outputActivation === 'linear', undefined, WAIT);
  await page.locator('#curve').waitFor({ state: 'visible', ...WAIT });
  const first = Number(await page.locator('#train-loss').innerText());
  await page.selectOption('#speed', 'epoch:5');
  await train(page, 400);
  const last = Number(await page.locator('#train-loss').innerText());
  assert.ok(last < first / 5, `training loss ${first} → ${last}`);
  assert.equal(await page.locator('#boundary').isVisible(), false);
  assert.equal(await page.locator('#test-accuracy').innerText(), '–');
  assert.match(await page.locator('#boundary-note').innerText(), /A regression: the network's output along one input/);
  assert.equal(await page.locator('#curve-input').isVisible(), false);
  await page.screenshot({ path: `${RESULTS}csv-regression.png` });
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a CSV file that cannot be read is refused with the reader\'s message', async () => {
  const { page, problems } = await open(h);
  await drop(page, 'broken.csv', 'a,b,c\n1,2,3\n4,5\n');
  await page.locator('#problem').waitFor({ state: 'visible', ...WAIT });
  assert.match(await page.locator('#problem').innerText(), /broken\.csv.*still the one from before/s);
  assert.equal((await page.evaluate(() => window.backpropPlayground.config())).data.name, 'xor');
  // the network from before still trains, and the page still shows it
  await train(page, 20);
  assert.ok(Number(await page.locator('#step-count').innerText()) >= 20);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the wave regression set: a linear output, its fitted curve, the loss falling; a wider regression CSV picks the input to draw along', async () => {
  const { page, problems } = await open(h);
  await page.selectOption('#dataset', 'wave');
  await page.waitForFunction(() => window.backpropPlayground.config().outputActivation === 'linear', undefined, WAIT);
  await page.locator('#curve').waitFor({ state: 'visible', ...WAIT });
  const first = Number(await page.locator('#train-loss').innerText());
  await page.selectOption('#speed', 'epoch:5');
  await train(page, 300);
  const last = Number(await page.locator('#train-loss').innerText());
  assert.ok(last < first / 5, `training loss ${first} → ${last}`);
  await page.screenshot({ path: `${RESULTS}wave.png` });
  await page.selectOption('#dataset', 'xor');
  await page.waitForFunction(() => window.backpropPlayground.config().outputActivation === 'sigmoid', undefined, WAIT);

  const rows = ['a,b,c,y', ...Array.from({ length: 120 }, (_, i) => `${i % 11},${(i * 7) % 13},${i % 5},${(i % 11) * 2 + ((i * 7) % 13)}`)];
  await drop(page, 'three.csv', rows.join('\n'));
  await page.locator('#curve-input').waitFor({ state: 'visible', ...WAIT });
  assert.deepEqual(await page.$$eval('#curve-input option', (os) => os.map((o) => o.textContent)), ['a', 'b', 'c']);
  await page.selectOption('#curve-input', '1');
  assert.equal(await page.locator('#curve').isVisible(), true);
  assert.deepEqual(problems, []);
  await page.context().close();
});
