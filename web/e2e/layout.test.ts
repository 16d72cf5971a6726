// Defect 6: the page's layout checked by element boxes (not pixels): at phone width and at
// 1280 px, with the largest network, no two controls overlap, none leaves its card, no menu is clipped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import '../src/hook.js';
import { open, RESULTS, start, type Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await start();
});
after(async () => {
  await h?.close();
});

/** Builds 6 hidden layers of 8 neurons. */
async function largest(page: Page): Promise<void> {
  while (await page.locator('#add-layer').isEnabled()) await page.click('#add-layer');
  for (let i = 1; i <= 6; i++) {
    const add = page.getByLabel(`Add a neuron to hidden layer ${i}`);
    while (await add.isEnabled()) await add.click();
  }
  await page.waitForFunction(() => window.backpropPlayground.config().hidden.length === 6 && window.backpropPlayground.config().hidden.every((l) => l.units === 8));
}

interface Box {
  what: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The boxes of the visible elements matching `selector`. */
function boxes(page: Page, selector: string): Promise<Box[]> {
  return page.$$eval(selector, (els) =>
    els
      .filter((e) => (e as HTMLElement).offsetParent !== null && !(e as HTMLElement).classList.contains('visually-hidden'))
      .map((e) => {
        const r = e.getBoundingClientRect();
        const id = e.id ? `#${e.id}` : e.getAttribute('aria-label') ?? e.textContent?.trim().slice(0, 30) ?? '';
        return { what: `${e.tagName.toLowerCase()} ${id}`, x: r.x, y: r.y, w: r.width, h: r.height };
      }),
  );
}

function overlaps(list: Box[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i];
      const b = list[j];
      const dx = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const dy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      // touching counts too: words that run into each other read as one
      if (dx > -1 && dy > -1) out.push(`${a.what} overlaps or touches ${b.what}`);
    }
  }
  return out;
}

function outside(list: Box[], card: Box): string[] {
  return list.filter((b) => b.x < card.x - 0.5 || b.x + b.w > card.x + card.w + 0.5).map((b) => `${b.what} runs past its card`);
}

/** Selects whose chosen option's text is wider than the select shows. */
function clipped(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (els) => {
    const ctx = document.createElement('canvas').getContext('2d')!;
    return (els as HTMLSelectElement[])
      .filter((s) => s.offsetParent !== null)
      .filter((s) => {
        const st = getComputedStyle(s);
        ctx.font = `${st.fontSize} ${st.fontFamily}`;
        const text = ctx.measureText(s.selectedOptions[0]?.text ?? '').width;
        // padding and the drop-down arrow take about 24 px
        return s.clientWidth < text + 24;
      })
      .map((s) => `${s.getAttribute('aria-label') ?? s.closest('label')?.textContent?.trim() ?? s.id} (${s.value}) is clipped: ${s.clientWidth}px for ${Math.round(ctx.measureText(s.selectedOptions[0]?.text ?? '').width)}px of text`);
  });
}

async function checkLayout(page: Page): Promise<string[]> {
  const editor = await boxes(page, '.layer-editor button, .layer-editor .layer-col > span, .layer-editor select');
  const [card] = await boxes(page, '.panel.network');
  const bar = await boxes(page, '.bar > .buttons, .bar > .counters, .bar > label:not([hidden])');
  const panels = await boxes(page, '#views > .panel');
  return [...overlaps(editor), ...outside(editor, card), ...overlaps(bar), ...overlaps(panels)];
}

test('phone width, 6 hidden layers: nothing overlaps or leaves its card; the data set comes first', async () => {
  const { page, problems } = await open(h, { width: 390, height: 844 });
  await largest(page);
  await page.selectOption('#speed', 'epoch:1');
  const found = await checkLayout(page);
  await page.screenshot({ path: `${RESULTS}phone-6-layers.png`, fullPage: true });
  assert.deepEqual(found, []);
  const [data] = await boxes(page, '#dataset');
  const [network] = await boxes(page, '.panel.network');
  const [output] = await boxes(page, '.panel.output');
  assert.ok(data.y < network.y && data.y < output.y, `the data set picker is at ${data.y}, the network at ${network.y}, the output at ${output.y}`);
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)) <= 0);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('1280 px, 6 hidden layers: no activation menu is clipped, nothing overlaps', async () => {
  const { page, problems } = await open(h, { width: 1280, height: 800 });
  await largest(page);
  for (let i = 1; i <= 6; i++) await page.getByLabel(`Activation of hidden layer ${i}`).selectOption('leaky-relu');
  await page.getByLabel('Activation of the output layer').selectOption('softmax');
  await page.waitForFunction(() => window.backpropPlayground.config().hidden.every((l) => l.activation === 'leaky-relu'));
  const found = [...(await checkLayout(page)), ...(await clipped(page, '.layer-editor select'))];
  await page.screenshot({ path: `${RESULTS}desktop-6-layers.png`, fullPage: true });
  assert.deepEqual(found, []);
  assert.deepEqual(problems, []);
  await page.context().close();
});
