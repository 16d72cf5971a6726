/** One curve of a line chart: its values at x = 1, 2, 3, … */
export interface Curve {
  name: string;
  values: number[];
  color: string;
}

const W = 720;
const H = 420;
const M = { left: 78, right: 24, top: 48, bottom: 56 };

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / count;
  const pow = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const ticks: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1] < hi) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  return ticks;
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function label(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

/** A line chart as SVG text: axes with ticks and labels, a title, a legend and one polyline per curve. */
export function lineChartSvg(curves: Curve[], opts: { title: string; xLabel: string; yLabel: string }): string {
  const shown = curves.filter((c) => c.values.length > 0);
  const n = Math.max(1, ...shown.map((c) => c.values.length));
  const all = shown.flatMap((c) => c.values).filter(Number.isFinite);
  const yMax = all.length ? Math.max(...all) : 1;
  const yMin = Math.min(0, ...all);
  const yTicks = niceTicks(yMin, yMax);
  const xTicks = niceTicks(1, Math.max(n, 2)).filter((t) => t >= 1 && Number.isInteger(t));
  if (xTicks[0] !== 1) xTicks.unshift(1);
  const y0 = yTicks[0];
  const y1 = yTicks[yTicks.length - 1];
  const x1 = Math.max(n, xTicks[xTicks.length - 1]);
  const px = (x: number) => M.left + ((x - 1) / Math.max(1, x1 - 1)) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - ((y - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const f = (v: number) => v.toFixed(1);

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="15">${escape(opts.title)}</text>`);
  // Grid and y ticks.
  for (const t of yTicks) {
    const y = f(py(t));
    out.push(`<line x1="${M.left}" y1="${y}" x2="${W - M.right}" y2="${y}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${M.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${label(t)}</text>`);
  }
  for (const t of xTicks) {
    const x = f(px(t));
    out.push(`<line x1="${x}" y1="${H - M.bottom}" x2="${x}" y2="${H - M.bottom + 5}" stroke="black"/>`);
    out.push(`<text x="${x}" y="${H - M.bottom + 20}" text-anchor="middle">${t}</text>`);
  }
  // Axes.
  out.push(`<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="black"/>`);
  out.push(`<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="black"/>`);
  out.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 14}" text-anchor="middle">${escape(opts.xLabel)}</text>`);
  out.push(
    `<text x="18" y="${(M.top + H - M.bottom) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(M.top + H - M.bottom) / 2})">${escape(opts.yLabel)}</text>`,
  );
  // Curves.
  for (const c of shown) {
    const pts = c.values
      .map((v, i) => (Number.isFinite(v) ? `${f(px(i + 1))},${f(py(v))}` : ''))
      .filter(Boolean)
      .join(' ');
    out.push(`<polyline fill="none" stroke="${c.color}" stroke-width="2" points="${pts}"><title>${escape(c.name)}</title></polyline>`);
  }
  // Legend.
  shown.forEach((c, i) => {
    const y = M.top + 8 + i * 18;
    const x = W - M.right - 150;
    out.push(`<line x1="${x}" y1="${y}" x2="${x + 24}" y2="${y}" stroke="${c.color}" stroke-width="2"/>`);
    out.push(`<text x="${x + 30}" y="${y}" dominant-baseline="middle">${escape(c.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
