// A large CSV file (200,000 rows of 20 features, the format of bench/gen.mjs) dropped on the
// page: the worker reads it through the library's streaming reader, trains on it, and the page
// shows the loss and accuracy charts and a confusion matrix; a bad cell near its end is one line
// naming the row and the column.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import '../src/hook.js';
import { open, RESULTS, start, type Harness } from './harness.js';
import { WAIT } from './helpers.js';
import { dropGenerated, FEATURES, ROWS } from './large-csv.js';

let h: Harness;
before(async () => {
  h = await start();
});
after(async () => {
  await h?.close();
});

test('a dropped CSV of 200,000 rows is streamed into the worker, trains, and shows the loss and accuracy charts and a confusion matrix', async (t) => {
  const { page, problems } = await open(h, { width: 1280, height: 1000 });
  // the page goes on drawing frames while the worker reads the file
  await page.evaluate('window.framesDrawn = 0; (function tick() { window.framesDrawn++; requestAnimationFrame(tick); })()');
  const framesBefore = Number(await page.evaluate('window.framesDrawn'));
  const dropped = await dropGenerated(page, 'gen-200k.csv');
  const framesAtDrop = Number(await page.evaluate('window.framesDrawn'));
  // while the worker reads, the page says what it reads
  assert.match(await page.locator('#csv-reading').innerText(), /^Reading gen-200k\.csv \(30\.4 MB\)…$/);
  await page.waitForFunction(() => window.backpropPlayground.config().data.name === 'csv', undefined, { timeout: 120_000 });
  const note = await page.locator('#csv-note').innerText();
  const frames = Number(await page.evaluate('window.framesDrawn')) - framesAtDrop;
  t.diagnostic(`generated in the page (${framesAtDrop - framesBefore} frames meanwhile); read and built by the worker ${Date.now() - dropped} ms after the drop, the page drawing ${frames} frames meanwhile`);
  assert.equal(note, `gen-200k.csv: ${ROWS} rows, ${FEATURES} inputs, 3 classes of label.`);
  assert.equal(await page.locator('#csv-reading').isVisible(), false);
  assert.equal(await page.locator('.matrix[data-name="X"] tr').first().locator('td').count() > 0, true);

  await page.selectOption('#speed', 'step:5');
  await page.click('#play');
  await page.waitForFunction(() => Number(document.getElementById('step-count')!.textContent) >= 400, undefined, { timeout: 120_000 });
  await page.click('#play');
  await page.waitForFunction(() => document.getElementById('play')!.getAttribute('aria-pressed') === 'false', undefined, WAIT);
  await page.locator('#confusion table').waitFor(WAIT);
  assert.equal(await page.locator('#chart').isVisible(), true);
  assert.equal(await page.locator('#accuracy-chart').isVisible(), true);
  const confusion = await page.$$eval('#confusion tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => Number(td.textContent))));
  assert.equal(confusion.length, 3);
  const ratio = (await page.evaluate(() => window.backpropPlayground.config())).data.trainRatio;
  const testRows = ROWS - Math.round(ROWS * ratio);
  // every test row, counted in the pass that measured the accuracy shown
  assert.equal(confusion.flat().reduce((s, v) => s + v, 0), testRows);
  assert.equal(await page.locator('#confusion caption').innerText(), 'Confusion matrix, test rows: actual (rows) × predicted (columns)');
  const accuracy = parseFloat(await page.locator('#test-accuracy').innerText());
  t.diagnostic(`after ${await page.locator('#step-count').innerText()} steps: ${accuracy} % test accuracy`);
  // three classes, about a third each: 400 steps learn well past guessing
  assert.ok(accuracy > 50, `${accuracy} %`);
  await page.screenshot({ path: `${RESULTS}csv-200k.png` });
  await page.locator('.panel.output').screenshot({ path: `${RESULTS}csv-200k-output.png` });
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a bad cell at row 199,991 of 200,000 is one line naming the file, the row and the column; the network from before stays', async () => {
  const { page, problems } = await open(h);
  await dropGenerated(page, 'late-bad.csv', { row: 199_990, column: 7 });
  await page.locator('#problem').waitFor({ state: 'visible', timeout: 120_000 });
  const message = await page.locator('#problem').innerText();
  // row 1 is the header: data row 199,991 is the file's row 199,992
  assert.match(message, /^late-bad\.csv row 199992, column 8 \('x7'\): expected a number, got 'n\/a'.*still the one from before\.?$/);
  assert.doesNotMatch(message, /\n/);
  assert.equal(await page.locator('#csv-reading').isVisible(), false);
  assert.equal((await page.evaluate(() => window.backpropPlayground.config())).data.name, 'xor');
  assert.deepEqual(problems, []);
  await page.context().close();
});
