/**
 * bench/gen.mjs's seeded 3-class CSV (FEATURES values in [−1, 1], a label a/b/c by thresholds on
 * x0 + 0.5·x1·x2 − 0.3·x3), built in the page as a File and dropped on it as a person drags one
 * from a file manager; and the same text in Node, to check the page's figures with the library.
 */
import type { Page } from 'playwright-core';

export const ROWS = 200_000;
export const FEATURES = 20;

/** The generator, as text, so that the test runner's compiler adds no helper of its own to the page's function. */
const GENERATE = `(rows, f, b) => {
    let s = 12345;
    const parts = [[...Array(f).keys()].map((i) => 'x' + i).join(',') + ',label\\n'];
    let buf = '';
    for (let i = 0; i < rows; i++) {
      const x = [];
      for (let j = 0; j < f; j++) x.push(((s = (s * 1103515245 + 12345) >>> 0) / 4294967296) * 2 - 1);
      const v = x[0] + 0.5 * x[1] * x[2] - 0.3 * x[3];
      const cells = x.map((y) => y.toFixed(4));
      if (b && i === b.row) cells[b.column] = 'n/a';
      buf += cells.join(',') + ',' + (v < -0.3 ? 'a' : v < 0.3 ? 'b' : 'c') + '\\n';
      if (buf.length > 1 << 20) {
        parts.push(buf);
        buf = '';
      }
    }
    parts.push(buf);
    return parts;
  }`;

/** The file's text, as the page builds it (without a bad cell). */
export function largeCsvText(rows = ROWS): string {
  const parts = (0, eval)(GENERATE)(rows, FEATURES, null) as string[];
  return parts.join('');
}

/** Builds the file in the page, optionally with a bad cell at row `bad`, and drops it; returns when it was dropped (Date.now()). */
export async function dropGenerated(page: Page, name: string, bad?: { row: number; column: number }): Promise<number> {
  const build = `(([n, rows, f, b]) => {
    const dt = new DataTransfer();
    dt.items.add(new File((${GENERATE})(rows, f, b), n, { type: 'text/csv' }));
    return dt;
  })(${JSON.stringify([name, ROWS, FEATURES, bad ?? null])})`;
  const transfer = await page.evaluateHandle(build);
  const dropped = Date.now();
  await page.dispatchEvent('body', 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent('body', 'drop', { dataTransfer: transfer });
  return dropped;
}
