/**
 * What the output card shows when there is no 2-D plane to draw: a classifier's confusion
 * matrix, and a regression's fitted curve along one input with the data's points.
 */
import type { Dataset } from '../datasets.js';

/**
 * The confusion matrix as a table: a row per actual class, a column per predicted class. `total`
 * is the number of such rows; the counts may cover only the first of them (see extras.ts).
 */
export function drawConfusion(el: HTMLElement, counts: number[][], classes: string[], rows: 'test' | 'training', total: number): void {
  const table = document.createElement('table');
  table.className = 'confusion';
  const caption = table.createCaption();
  const counted = counts.flat().reduce((s, n) => s + n, 0);
  const which = counted < total ? `the first ${counted} of ${total} ${rows} rows` : `${rows} rows`;
  caption.textContent = `Confusion matrix, ${which}: actual (rows) × predicted (columns)`;
  const head = table.createTHead().insertRow();
  head.append(document.createElement('th'));
  const name = (k: number) => classes[k] ?? String(k);
  counts.forEach((_, k) => head.append(Object.assign(document.createElement('th'), { textContent: name(k), scope: 'col' })));
  const body = table.createTBody();
  counts.forEach((row, a) => {
    const tr = body.insertRow();
    tr.append(Object.assign(document.createElement('th'), { textContent: name(a), scope: 'row' }));
    row.forEach((n, p) => {
      const td = tr.insertCell();
      td.textContent = String(n);
      if (a === p) td.className = 'hit';
    });
  });
  el.replaceChildren(table);
}

/** A regression's points (input j against the target) and the network's curve over them. */
export function drawCurve(canvas: HTMLCanvasElement, data: Dataset, curve: { x: number[]; y: number[] }, j: number): void {
  const ctx = canvas.getContext('2d')!;
  const w = canvas.clientWidth || canvas.width;
  const h = canvas.clientHeight || canvas.height;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const xs = [...data.trainX, ...data.testX].map((r) => r[j]);
  const ys = [...data.trainY, ...data.testY].map((r) => r[0]).concat(curve.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const px = (v: number) => 6 + ((v - x0) / (x1 - x0 || 1)) * (w - 12);
  const py = (v: number) => h - 6 - ((v - y0) / (y1 - y0 || 1)) * (h - 12);
  const dots = (x: number[][], y: number[][], color: string) => {
    ctx.fillStyle = color;
    x.forEach((r, i) => ctx.fillRect(px(r[j]) - 1.5, py(y[i][0]) - 1.5, 3, 3));
  };
  dots(data.trainX, data.trainY, '#8ab4f8');
  dots(data.testX, data.testY, '#f59322');
  ctx.strokeStyle = '#111';
  ctx.lineWidth = 2;
  ctx.beginPath();
  curve.x.forEach((v, i) => (i === 0 ? ctx.moveTo(px(v), py(curve.y[i])) : ctx.lineTo(px(v), py(curve.y[i]))));
  ctx.stroke();
}
