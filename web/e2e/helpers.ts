/** What the end-to-end tests ask of the page: matrix cells, snapshots, steps, and the library's own step to compare with. */
import type { Page } from 'playwright-core';
import { Network, Trainer, optimizer } from '../../src/index.js';
import { fitOptions, wantsOneHot } from '../src/config.js';
import { makeDataset } from '../src/datasets.js';
import type { Snapshot } from '../src/session.js';
import '../src/hook.js';

export const WAIT = { timeout: 20_000 };

/** The text and exact value of every shown cell of a matrix of the pass, row by row. */
export function cells(page: Page, name: string): Promise<{ text: string; value: number }[]> {
  return page.$$eval(`.matrix[data-name="${name}"] td`, (tds) =>
    tds.map((td) => ({ text: td.textContent ?? '', value: Number((td as HTMLElement).title) })),
  );
}

export function waitForCell(page: Page, name: string, text: string): Promise<unknown> {
  return page.waitForFunction(
    ([n, t]) => document.querySelector(`.matrix[data-name="${n}"] td`)?.textContent === t,
    [name, text] as const,
    WAIT,
  );
}

export function snapshot(page: Page): Promise<Snapshot> {
  return page.evaluate(() => window.backpropPlayground.snapshot());
}

export async function stepCount(page: Page): Promise<number> {
  return Number(await page.locator('#step-count').textContent());
}

/** Clicks Step `count` times, each time waiting until the page shows the step taken. */
export async function steps(page: Page, count: number): Promise<void> {
  for (let k = 0; k < count; k++) {
    const next = (await stepCount(page)) + 1;
    await page.click('#step');
    await page.waitForFunction((n) => document.getElementById('step-count')!.textContent === String(n), next, WAIT);
  }
}

/** Plays until the test loss is under `target` or `limit` steps have passed; pauses; returns the step and loss seen. */
export async function playUntil(page: Page, target: number, limit: number): Promise<{ step: number; loss: number }> {
  await page.click('#play');
  const handle = await page.waitForFunction(
    ([t, l]) => {
      const step = Number(document.getElementById('step-count')!.textContent);
      const loss = Number(document.getElementById('test-loss')!.textContent);
      return loss < t || step > l ? { step, loss } : false;
    },
    [target, limit] as const,
    { ...WAIT, polling: 'raf' },
  );
  const seen = (await handle.jsonValue()) as { step: number; loss: number };
  await page.click('#play');
  await page.waitForFunction(() => document.getElementById('play')!.getAttribute('aria-pressed') === 'false');
  return seen;
}

/** The weights of a snapshot's model, flattened. */
export function weightsOf(model: Snapshot['model']): number[] {
  return model.layers.flatMap((l) => [...l.weights.flat(), ...(l.biases ?? [])]);
}

/** The library's own Trainer, one step from the state a snapshot holds (its place in the epoch too): the weights the page must reach. */
export function libraryStep(before: Snapshot): number[] {
  const data = makeDataset(before.config.data, wantsOneHot(before.config));
  const net = Network.fromJSON(before.model);
  net.rng.setState(before.rng);
  const opt = optimizer(before.config.optimizer);
  opt.setState(before.optimizer);
  const trainer = new Trainer(net, data.trainX, data.trainY, { ...fitOptions(before.config, data.trainX.length), optimizer: opt });
  trainer.resumeAt(before.position);
  trainer.step();
  return weightsOf(net.toJSON());
}
