/**
 * The end-to-end tests' setup: the built site (web/dist) served by `vite preview` on
 * 127.0.0.1, and Debian's Chromium driven by playwright-core. No browser is downloaded.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';

export const WEB = fileURLToPath(new URL('..', import.meta.url));
export const RESULTS = fileURLToPath(new URL('../test-results/', import.meta.url));

/** Where Debian's chromium package puts the browser; BACKPROP_CHROMIUM overrides it. */
const CHROMIUM = process.env.BACKPROP_CHROMIUM ?? '/usr/bin/chromium';

export interface Harness {
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

export async function start(): Promise<Harness> {
  mkdirSync(RESULTS, { recursive: true });
  const server: PreviewServer = await preview({
    root: WEB,
    configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('vite preview did not listen on a TCP port');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-quic',
      '--no-first-run',
      '--disable-sync',
    ],
  });
  return {
    url: `http://127.0.0.1:${address.port}/`,
    browser,
    async close() {
      await browser.close();
      await new Promise<void>((resolve, reject) => server.httpServer.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

/** A page at the playground with the given viewport; `problems` collects console errors and page errors. */
export async function open(
  h: Harness,
  viewport = { width: 1280, height: 800 },
): Promise<{ page: Page; problems: string[] }> {
  const context = await h.browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(h.url);
  // the first frame from the worker has been drawn when the matrices of the first pass are there
  await page.locator('.matrix[data-name="X"]').waitFor();
  return { page, problems };
}
