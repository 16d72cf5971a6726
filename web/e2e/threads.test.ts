// Float32 products on two threads in a real browser: in a cross-origin isolated page (COOP and
// COEP headers) the library starts a helper worker by itself and gives the single-thread bits,
// from the page's main thread (which may not block: it polls) and from a worker (which sleeps in
// Atomics.wait); without isolation it stays on one thread.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = process.env.BACKPROP_CHROMIUM ?? '/usr/bin/chromium';

/** What the page and the worker run: products on one thread, then on two, and their bits. */
const PROBE = `
import { Matrix, matmul, setThreads, threadsReady, tuneThreads } from './backprop.js';
export async function probe() {
  const shapes = [[64, 256, 784, 0, 0], [784, 256, 64, 1, 0], [64, 784, 256, 0, 1], [7, 131, 301, 1, 1], [203, 11, 3, 0, 0]];
  const run = () => shapes.map(([m, n, k, ta, tb], i) => {
    let s = 17 + i;
    const fill = (r, c) => { const x = new Matrix(r, c, 'float32'); for (let j = 0; j < x.data.length; j++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; x.data[j] = s / 2 ** 32 - 0.5; } return x; };
    const a = ta ? fill(k, m) : fill(m, k), b = tb ? fill(n, k) : fill(k, n), c = fill(m, n);
    matmul(a, b, c, !!ta, !!tb, 0.5, 0.25);
    return Array.from(new Uint32Array(c.data.buffer));
  });
  setThreads(1);
  const one = run();
  setThreads(2);
  tuneThreads({ minWork: 1, minPartWork: 1, partsPerThread: 4, adaptive: false });
  const threads = await threadsReady(10000);
  const two = run();
  return { isolated: globalThis.crossOriginIsolated === true, threads, same: JSON.stringify(one) === JSON.stringify(two) };
}
`;

const PAGE = `<!doctype html><meta charset="utf-8"><title>threads</title>
<script type="module">
import { probe } from './probe.js';
window.result = probe().then((main) => new Promise((resolve) => {
  const w = new Worker('./worker.js', { type: 'module' });
  w.onmessage = (e) => resolve({ main, worker: e.data });
  w.onerror = (e) => resolve({ main, worker: { error: String(e.message) } });
}), (e) => ({ error: String(e) }));
</script>`;

const WORKER = `import { probe } from './probe.js'; probe().then((r) => postMessage(r), (e) => postMessage({ error: String(e) }));`;

let server: Server;
let browser: Browser;
let base = '';

before(async () => {
  // the library (with tuneThreads from its kernels) as one ES module, as a bundler would make it
  const out = await build({
    configFile: false,
    logLevel: 'warn',
    root: ROOT,
    build: {
      write: false,
      minify: false,
      target: 'es2022',
      lib: { entry: { backprop: 'web/e2e/threads-entry.ts' }, formats: ['es'], fileName: () => 'backprop.js' },
    },
  });
  const bundle = (Array.isArray(out) ? out[0] : out) as { output: { fileName: string; type: string; code?: string }[] };
  const files: Record<string, string> = { '/probe.js': PROBE, '/worker.js': WORKER };
  for (const o of bundle.output) if (o.type === 'chunk') files[`/${o.fileName}`] = o.code!;
  server = createServer((req, res) => {
    const [path, query] = (req.url ?? '/').split('?');
    const body = path === '/' ? PAGE : files[path];
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.setHeader('content-type', path === '/' ? 'text/html' : 'text/javascript');
    if (query !== 'plain') {
      res.setHeader('cross-origin-opener-policy', 'same-origin');
      res.setHeader('cross-origin-embedder-policy', 'require-corp');
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${address.port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
});

after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

interface Probe { isolated: boolean; threads: number; same: boolean; error?: string }

async function probe(url: string): Promise<{ main: Probe; worker: Probe; error?: string }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(url);
  const result = await page.evaluate(() => (window as unknown as { result: Promise<{ main: Probe; worker: Probe }> }).result);
  await page.close();
  assert.deepEqual(problems, []);
  return result;
}

test('a cross-origin isolated page splits products between threads, with the single-thread bits', async () => {
  const r = await probe(base);
  assert.equal(r.error, undefined);
  assert.deepEqual(r.main, { isolated: true, threads: 2, same: true }, 'the page');
  assert.deepEqual(r.worker, { isolated: true, threads: 2, same: true }, 'a worker');
});

test('a page that is not isolated keeps to one thread, with the same bits', async () => {
  // the document without COOP/COEP; its scripts are the same files
  const page = await browser.newPage();
  await page.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    url.search = 'plain';
    await route.continue({ url: url.toString() });
  });
  await page.goto(base);
  const r = await page.evaluate(() => (window as unknown as { result: Promise<{ main: Probe; worker: Probe }> }).result);
  await page.close();
  assert.deepEqual(r.main, { isolated: false, threads: 1, same: true });
  assert.deepEqual(r.worker, { isolated: false, threads: 1, same: true });
});
