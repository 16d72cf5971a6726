// Step through one pass, matrix by matrix: each stage's values are the library's trace, the cells
// it reads are the ones its formula uses, and the diagram lights the nodes and weights involved.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { IRIS3, slidesIrisNetwork, trace } from '../../src/index.js';
import { Session } from '../src/session.js';
import '../src/hook.js';
import { open, RESULTS, start, type Harness } from './harness.js';
import { snapshot, WAIT } from './helpers.js';

let h: Harness;
before(async () => {
  h = await start();
});
after(async () => {
  await h?.close();
});

/** The exact values of the step-through's current matrix, row by row. */
function current(page: Page, name: string): Promise<number[]> {
  return page.$$eval(`#step-current .matrix[data-name="${name}"] td`, (tds) => tds.map((td) => Number((td as HTMLElement).title)));
}

/** The highlighted cells of a matrix the current stage reads, as [row, column]. */
function highlighted(page: Page, name: string): Promise<number[][]> {
  return page.$$eval(`#step-sources .matrix[data-name="${name}"] td.src`, (tds) =>
    tds.map((td) => [Number((td as HTMLElement).dataset.r), Number((td as HTMLElement).dataset.c)]),
  );
}

async function stage(page: Page, title: string): Promise<void> {
  await page.waitForFunction((t) => document.getElementById('step-stage')!.textContent!.endsWith(`: ${t}`), title, WAIT);
}

function lit(page: Page): Promise<{ nodes: number; edges: number }> {
  return page.evaluate(() => ({
    nodes: document.querySelectorAll('#diagram .node.lit').length,
    edges: document.querySelectorAll('#diagram path.lit').length,
  }));
}

test('the slides\' pass, matrix by matrix: values from trace(), the cells each reads, the diagram lit, and the update the step makes', async () => {
  const { page, problems } = await open(h, { width: 1280, height: 1100 });
  await page.click('#slides-preset');
  await page.locator('.matrix[data-name="H_out"]').waitFor(WAIT);
  const t = trace(slidesIrisNetwork(IRIS3, 'half-mean-over-samples'), IRIS3.X, IRIS3.Y);
  await page.click('#step-through');
  await stage(page, 'H_in');
  assert.deepEqual(await current(page, 'H_in'), t.get('H_in')!.flat());
  assert.deepEqual(await highlighted(page, 'X'), [[0, 0], [0, 1], [0, 2], [0, 3]]);
  assert.deepEqual(await highlighted(page, 'W1'), [[0, 0], [1, 0], [2, 0], [3, 0]]);

  // another cell: H_in[2,2] = row 2 of X times column 2 of W1; 4 inputs and one hidden node lit, 4 weights
  await page.click('#step-current td[data-r="1"][data-c="1"]');
  assert.deepEqual(await highlighted(page, 'X'), [[1, 0], [1, 1], [1, 2], [1, 3]]);
  assert.deepEqual(await highlighted(page, 'W1'), [[0, 1], [1, 1], [2, 1], [3, 1]]);
  assert.deepEqual(await lit(page), { nodes: 5, edges: 4 });
  assert.match(await page.locator('#step-explain').innerText(), /H_in\[2,2\] = .*highlighted cells of X, W1/);
  assert.equal(await page.locator('#step-arithmetic').innerText(), '6.400·0.400 + 3.200·0.000 + 4.500·(−0.400) + 1.500·0.100 = 0.910');

  for (let k = 0; k < 5; k++) await page.keyboard.press('ArrowRight');
  await stage(page, 'O_delta');
  assert.deepEqual(await current(page, 'O_delta'), t.get('O_delta')!.flat());
  assert.deepEqual(await highlighted(page, 'O_error'), [[1, 1]]);
  assert.deepEqual(await highlighted(page, 'O_in'), [[1, 1]]);
  assert.match(await page.locator('#step-current code').innerText(), /O_delta = O_error ⊙ sigmoid'\(O_in\)/);

  await page.keyboard.press('ArrowRight');
  await stage(page, 'W2_update');
  assert.deepEqual(await current(page, 'W2_update'), t.get('W2_update')!.flat());
  assert.deepEqual(await highlighted(page, 'H_out'), [[0, 1], [1, 1], [2, 1]]);
  assert.deepEqual(await highlighted(page, 'O_delta'), [[0, 1], [1, 1], [2, 1]]);
  assert.deepEqual(await lit(page), { nodes: 2, edges: 1 });

  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await stage(page, 'W1_update');
  assert.deepEqual(await current(page, 'W1_update'), t.get('W1_update')!.flat());
  assert.deepEqual(await highlighted(page, 'X'), [[0, 1], [1, 1], [2, 1]]);
  assert.deepEqual(await highlighted(page, 'H_delta'), [[0, 1], [1, 1], [2, 1]]);
  await page.keyboard.press('ArrowLeft');
  await stage(page, 'H_delta');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await stage(page, 'W1 ← W1 − α·W1_update');
  const next = await current(page, 'W1_new');
  assert.deepEqual(next, t.get('W1')!.flat().map((w, i) => w - 0.1 * t.get('W1_update')!.flat()[i]));
  await page.screenshot({ path: `${RESULTS}step-through.png`, fullPage: true });

  // the page's step (plain gradient descent on the slides' batch) makes exactly that update
  await page.click('#step');
  await page.waitForFunction(() => document.getElementById('step-count')!.textContent === '1', undefined, WAIT);
  assert.deepEqual((await snapshot(page)).model.layers[0].weights.flat(), next);
  assert.deepEqual(problems, []);
  await page.context().close();
});

/**
 * Equal to the last bit: He initialisation draws normals with the library's log and cos (the
 * engines' Math.log and Math.cos differ between Node 20 and Chromium), so the page's weights,
 * and the H1_in they give, are Node's.
 */
function close(got: number[], want: number[]): void {
  assert.deepEqual(got, want);
}

test('a deeper network steps through H1_…, H2_…, O_… with the library\'s values', async () => {
  const { page, problems } = await open(h);
  const config = await page.evaluate(() => window.backpropPlayground.config());
  const t = new Session(config).traceNext();
  const get = (n: string) => t.entries.find((e) => e.name === n)!.value;
  await page.click('#step-through');
  await stage(page, 'H1_in');
  close(await current(page, 'H1_in'), get('H1_in').slice(0, 8).flat());
  assert.deepEqual(await highlighted(page, 'b1'), [[0, 0]]);
  await page.click('#step-next');
  await page.click('#step-next');
  await stage(page, 'H2_in');
  close(await current(page, 'H2_in'), get('H2_in').slice(0, 8).flat());
  assert.deepEqual(await highlighted(page, 'H1_out'), Array.from({ length: 8 }, (_, k) => [0, k]));
  assert.deepEqual(await highlighted(page, 'W2'), Array.from({ length: 8 }, (_, k) => [k, 0]));
  // the default network has 3 hidden layers: H2_error = H3_delta·W3ᵀ, after O_… and H3_…
  assert.equal(config.hidden.length, 3);
  for (let k = 0; k < 14; k++) await page.click('#step-next');
  await stage(page, 'H2_error');
  close(await current(page, 'H2_error'), get('H2_error').slice(0, 8).flat());
  const row0 = Array.from({ length: 8 }, (_, k) => [0, k]);
  assert.deepEqual(await highlighted(page, 'H3_delta'), row0);
  assert.deepEqual(await highlighted(page, 'W3'), row0);
  assert.deepEqual(await lit(page), { nodes: 9, edges: 8 });
  // leaving the mode lights the whole diagram again
  await page.click('#step-through');
  assert.deepEqual(await lit(page), { nodes: 0, edges: 0 });
  assert.equal(await page.locator('#diagram.lighting').count(), 0);
  assert.deepEqual(problems, []);
  await page.context().close();
});
