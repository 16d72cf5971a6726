/**
 * The matrices of one pass, as the slides print them: each named matrix with its shape, the
 * formula that produced it, and its values (the exact value on hover).
 */
import { LIVE_TRACE_MS } from '../protocol.js';
import type { TraceView } from '../session.js';

/** Rows shown per matrix; longer batches say how many rows are left out. */
const MAX_ROWS = 8;

/** A number as the slides print it: fixed decimals, a true minus sign, no "−0.00". */
export function formatNumber(v: number, digits: number): string {
  const s = v.toFixed(digits);
  if (/^-0\.?0*$/.test(s)) return s.slice(1);
  return s.startsWith('-') ? `−${s.slice(1)}` : s;
}

/** A formula's long decimals cut to 4 significant digits: `1/N = 0.3333`, not `1/N = 0.3333333333333333`. */
export function tidyFormula(text: string): string {
  return text.replace(/\d+\.\d{5,}(e[-+]?\d+)?/g, (v) => String(Number(Number(v).toPrecision(4))));
}

export class MatricesView {
  constructor(
    private readonly list: HTMLElement,
    private readonly about: HTMLElement,
  ) {}

  clear(message: string): void {
    this.list.replaceChildren();
    this.about.textContent = message;
  }

  /** `pass.step`: the step whose batch this is; `pass.live`: refreshed while the network plays. */
  draw(view: TraceView, digits: number, trainRows: number, pass: { step: number; live: boolean }): void {
    const n = view.rows.length;
    const which =
      n === trainRows
        ? `the whole training set (${n} rows)`
        : `a batch of ${n} row${n === 1 ? '' : 's'} (training rows ${view.rows
            .slice(0, 12)
            .map((r) => r + 1)
            .join(', ')}${n > 12 ? ', …' : ''})`;
    this.about.dataset.step = String(pass.step);
    const when = pass.live
      ? `Live while playing, refreshed every ${LIVE_TRACE_MS} ms: the pass of step ${pass.step}`
      : `The pass of step ${pass.step}`;
    this.about.textContent =
      `${when}: one forward and backward pass over ${which}, with the weights before that step: ` +
      `loss (${view.loss.name}) = ${formatNumber(view.loss.value, Math.max(digits, 4))}, ${view.loss.formula}. ` +
      'The step then sets each weight to W − learning rate · W_update (for plain gradient descent).';

    const cards = view.entries.map((e) => matrixCard(e, digits));
    this.list.replaceChildren(...cards);
  }
}

/**
 * One named matrix as a card: name, shape, formula and values (the exact value on hover); each
 * cell carries its row and column (data-r, data-c). `title` replaces the name in the caption.
 */
export function matrixCard(e: { name: string; formula: string; value: number[][] }, digits: number, title = e.name): HTMLElement {
  const card = document.createElement('figure');
  card.className = 'matrix';
  card.dataset.name = e.name;
  const rows = e.value.length;
  const cols = e.value[0]?.length ?? 0;
  const caption = document.createElement('figcaption');
  const name = document.createElement('strong');
  name.textContent = title;
  const shape = document.createElement('span');
  shape.className = 'shape';
  shape.textContent = `${rows}×${cols}`;
  const formula = document.createElement('code');
  formula.textContent = tidyFormula(e.formula);
  caption.append(name, ' ', shape, document.createElement('br'), formula);

  const table = document.createElement('table');
  const body = document.createElement('tbody');
  e.value.slice(0, MAX_ROWS).forEach((row, r) => {
    const tr = document.createElement('tr');
    row.forEach((v, c) => {
      const td = document.createElement('td');
      const text = formatNumber(v, digits);
      td.textContent = text;
      td.title = String(v);
      td.dataset.r = String(r);
      td.dataset.c = String(c);
      if (text.startsWith('−')) td.className = 'neg';
      tr.append(td);
    });
    body.append(tr);
  });
  table.append(body);
  card.append(caption, table);
  if (rows > MAX_ROWS) {
    const more = document.createElement('p');
    more.className = 'more';
    more.textContent = `… ${rows - MAX_ROWS} more rows`;
    card.append(more);
  }
  return card;
}
