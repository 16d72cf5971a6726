// A large CSV file (200,000 rows of 20 features, the format of bench/gen.mjs) dropped on the
// page: the worker reads it through the library's streaming reader, trains on it, and the page
// shows the loss and accuracy charts and a confusion matrix. Measuring every row takes a while, so
// while playing the figures are measured now and then and the page says at which step; paused,
// they are the library's figures of the weights shown. A bad cell near the file's end is one line
// naming the row and the column.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import '../src/hook.js';
import { open, RESULTS, start, type Harness } from './harness.js';
import { evaluate, Network } from '../../src/index.js';
import { wantsOneHot } from '../src/config.js';
import { csvDataset, readCsv } from '../src/csv-data.js';
import { snapshot, WAIT } from './helpers.js';
import { dropGenerated, FEATURES, largeCsvText, ROWS } from './large-csv.js';

let h: Harness;
before(async () => {
  h = await start();
});
after(async () => {
  await h?.close();
});

/** What each frame drawn showed: its step, the step its figures were measured at, and the note beside them (window.figuresSeen). */
const RECORD_FIGURES = `window.figuresSeen = [];
  (function record() {
    const note = document.getElementById('measured-at');
    const seen = { step: Number(document.getElementById('step-count').textContent), measuredAt: Number(note.dataset.step), note: note.textContent };
    const last = window.figuresSeen[window.figuresSeen.length - 1];
    if (!last || last.step !== seen.step || last.measuredAt !== seen.measuredAt) window.figuresSeen.push(seen);
    requestAnimationFrame(record);
  })()`;

test('a dropped CSV of 200,000 rows is streamed into the worker, trains, and shows the loss and accuracy charts and a confusion matrix, measured now and then while playing and at the step shown when paused', async (t) => {
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
  await page.evaluate(RECORD_FIGURES);
  await page.click('#play');
  await page.waitForFunction(() => Number(document.getElementById('step-count')!.textContent) >= 400, undefined, { timeout: 120_000 });
  await page.click('#play');
  await page.waitForFunction(() => document.getElementById('play')!.getAttribute('aria-pressed') === 'false', undefined, WAIT);
  await checkFiguresSeen(page, t);
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

/**
 * While playing, every frame's figures were measured at its step or before it, and the page said
 * so exactly when before; measuring every row of this file costs far more than a frame's steps, so
 * some frames carried older figures. Paused, the figures are those of the step shown: the
 * library's evaluate of the paused weights on the file's test and training rows.
 */
async function checkFiguresSeen(page: Page, t: TestContext): Promise<void> {
  const seen = (await page.evaluate('window.figuresSeen')) as { step: number; measuredAt: number; note: string }[];
  for (const f of seen) {
    assert.ok(f.measuredAt <= f.step, JSON.stringify(f));
    assert.equal(f.note, f.measuredAt < f.step ? `measured at step ${f.measuredAt.toLocaleString('en-US')}` : '', JSON.stringify(f));
  }
  const older = seen.filter((f) => f.measuredAt < f.step);
  const measurements = new Set(seen.map((f) => f.measuredAt)).size;
  t.diagnostic(`${seen.length} steps shown while playing, ${older.length} of them with older figures, from ${measurements} measurements`);
  assert.ok(older.length > 0);
  const snap = await snapshot(page);
  await page.waitForFunction((n) => document.getElementById('measured-at')!.dataset.step === String(n), snap.step, WAIT);
  assert.equal(await page.locator('#step-count').innerText(), String(snap.step));
  assert.equal(await page.locator('#measured-at').innerText(), '');
  const data = csvDataset(await readCsv(largeCsvText(), 'gen-200k.csv'), snap.config.data, wantsOneHot(snap.config));
  const net = Network.fromJSON(snap.model);
  const test = evaluate(net, data.testX, data.testY);
  const train = evaluate(net, data.trainX, data.trainY);
  assert.equal(await page.locator('#test-loss').innerText(), test.loss.toFixed(4));
  assert.equal(await page.locator('#test-accuracy').innerText(), `${(test.accuracy! * 100).toFixed(1)}%`);
  assert.equal(await page.locator('#train-loss').innerText(), train.loss.toFixed(4));
}

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
