/**
 * Not a test: how fast the playground trains on a dropped 200,000-row CSV in headless Chromium.
 * For each speed it plays for a while and prints the steps per second and the frame time the
 * page's meter reports. Run after `npm run build:web`:
 *   node --import tsx web/e2e/measure-large.ts [seconds per speed] [speed ...]
 */
import '../src/hook.js';
import { open, start } from './harness.js';
import { dropGenerated } from './large-csv.js';

const seconds = Number(process.argv[2] ?? 20);
const speeds = process.argv.length > 3 ? process.argv.slice(3) : ['step:1', 'step:5', 'epoch:1'];

const h = await start();
try {
  const { page } = await open(h, { width: 1280, height: 1000 });
  await dropGenerated(page, 'gen-200k.csv');
  await page.waitForFunction(() => window.backpropPlayground.config().data.name === 'csv', undefined, { timeout: 120_000 });
  for (const speed of speeds) {
    await page.click('#reset');
    await page.waitForFunction(() => document.getElementById('step-count')!.textContent === '0');
    await page.selectOption('#speed', speed);
    await page.click('#play');
    // the first frames out of the way: from the first step shown on
    await page.waitForFunction(() => Number(document.getElementById('step-count')!.textContent) > 0, undefined, { timeout: 60_000 });
    const stepAt = () => page.evaluate(() => ({ t: performance.now(), step: Number(document.getElementById('step-count')!.textContent) }));
    const a = await stepAt();
    await page.waitForTimeout(seconds * 1000);
    const b = await stepAt();
    const stats = await page.evaluate(() => window.backpropPlayground.frameStats());
    await page.click('#play');
    const rate = ((b.step - a.step) / (b.t - a.t)) * 1000;
    console.log(
      `${speed}: ${rate.toFixed(1)} steps/s over ${((b.t - a.t) / 1000).toFixed(1)} s; frame time mean ${stats?.mean.toFixed(1)} ms, ` +
        `p95 ${stats?.p95.toFixed(1)} ms, worst ${stats?.max.toFixed(1)} ms (${stats?.frames} intervals); page draws ${stats?.drawMean.toFixed(1)} ms mean`,
    );
  }
} finally {
  await h.close();
}
