/** The live loss chart: training and test loss against gradient steps. */

/** Height of the legend's strip above the plot, in CSS pixels. */
const LEGEND_STRIP = 14;

interface Point {
  step: number;
  train: number;
  test: number | null;
}

export class LossChart {
  private readonly ctx: CanvasRenderingContext2D;
  private points: Point[] = [];

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.ctx = canvas.getContext('2d')!;
  }

  clear(): void {
    this.points = [];
  }

  add(step: number, train: number, test: number | null): void {
    const last = this.points[this.points.length - 1];
    if (last && last.step === step) this.points.pop();
    if (last && step < last.step) this.points = [];
    this.points.push({ step, train, test });
    // keep the drawing cheap on long runs: thin out every other point past 2,000
    if (this.points.length > 2000) this.points = this.points.filter((_, i) => i % 2 === 0 || i === this.points.length - 1);
  }

  draw(): void {
    const { canvas, ctx } = this;
    const w = canvas.clientWidth || canvas.width;
    const h = canvas.clientHeight || canvas.height;
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const pts = this.points;
    const left = 34;
    const bottom = h - 14;
    // the legend has a strip of its own above the plot, so no line runs through it
    const top = LEGEND_STRIP + 2;
    canvas.dataset.legend = `0 0 ${w} ${LEGEND_STRIP}`;
    canvas.dataset.plot = `${left} ${top} ${w - 4 - left} ${bottom - top}`;
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = '#555';
    ctx.strokeStyle = '#ccc';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(left, top);
    ctx.lineTo(left, bottom);
    ctx.lineTo(w - 4, bottom);
    ctx.stroke();
    if (pts.length === 0) return;

    let max = 0;
    for (const p of pts) max = Math.max(max, p.train, p.test ?? 0);
    if (!Number.isFinite(max) || max <= 0) max = 1;
    const first = pts[0].step;
    const span = Math.max(1, pts[pts.length - 1].step - first);
    const x = (s: number) => left + ((s - first) / span) * (w - 4 - left);
    const y = (v: number) => bottom - (Math.min(v, max) / max) * (bottom - top);

    ctx.fillText(formatTick(max), 2, top + 8);
    ctx.fillText('0', left - 10, bottom);
    ctx.textAlign = 'right';
    ctx.fillText(`step ${pts[pts.length - 1].step}`, w - 4, h - 2);
    ctx.textAlign = 'left';
    line(ctx, pts.map((p) => [x(p.step), y(p.train)]), '#999');
    line(ctx, pts.filter((p) => p.test !== null).map((p) => [x(p.step), y(p.test!)]), '#111');
    ctx.textAlign = 'right';
    ctx.fillStyle = '#999';
    ctx.fillText('training', w - 34, LEGEND_STRIP - 3);
    ctx.fillStyle = '#111';
    ctx.fillText('test', w - 6, LEGEND_STRIP - 3);
    ctx.textAlign = 'left';
  }
}

function line(ctx: CanvasRenderingContext2D, xy: number[][], color: string): void {
  if (xy.length === 0) return;
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  xy.forEach(([px, py], i) => (i === 0 ? ctx.moveTo(px, py) : ctx.lineTo(px, py)));
  ctx.stroke();
}

function formatTick(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toPrecision(2);
}
