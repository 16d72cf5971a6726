/** The decision boundary: the network's output over the input plane as a heat map, with the data on top. */
import type { Dataset } from '../datasets.js';
import { classOf } from '../datasets.js';
import type { Grids } from '../session.js';
import { CLASS_COLORS, css, DIVERGING_LUT, outputColor, type RGB } from './colors.js';

/** Paints a res×res grid of rows (k values each) into an ImageData, coloured by `color`. */
export function paintGrid(
  image: ImageData,
  values: ArrayLike<number>,
  k: number,
  color: (values: ArrayLike<number>, offset: number, k: number) => RGB,
): void {
  const px = image.data;
  const cells = image.width * image.height;
  for (let i = 0; i < cells; i++) {
    const c = color(values, i * k, k);
    px[i * 4] = c[0];
    px[i * 4 + 1] = c[1];
    px[i * 4 + 2] = c[2];
    px[i * 4 + 3] = 255;
  }
}

/**
 * Paints column `column` of a grid of rows (k values each) on the diverging scale over
 * [lo, hi]: the per-node pictures, drawn every frame, so by table look-up and without allocating.
 */
export function paintColumn(image: ImageData, values: ArrayLike<number>, k: number, column: number, lo: number, hi: number): void {
  const px = image.data;
  const cells = image.width * image.height;
  const scale = 255 / (hi - lo);
  for (let i = 0; i < cells; i++) {
    let t = Math.round((values[i * k + column] - lo) * scale);
    t = t < 0 ? 0 : t > 255 ? 255 : t;
    px[i * 4] = DIVERGING_LUT[t * 3];
    px[i * 4 + 1] = DIVERGING_LUT[t * 3 + 1];
    px[i * 4 + 2] = DIVERGING_LUT[t * 3 + 2];
    px[i * 4 + 3] = 255;
  }
}

export class BoundaryView {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly scratch = document.createElement('canvas');
  private image?: ImageData;
  /** The training points as last drawn: centre in CSS pixels and class colour. */
  dots: { x: number; y: number; color: RGB }[] = [];

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.ctx = canvas.getContext('2d')!;
  }

  /** Draws the output layer's grid and the points; returns false when there is no 2-D plane to draw. */
  draw(grids: Grids | undefined, data: Dataset | undefined, showTest: boolean): boolean {
    const { canvas, ctx } = this;
    const size = canvas.clientWidth || canvas.width;
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(size * dpr)) {
      canvas.width = Math.round(size * dpr);
      canvas.height = Math.round(size * dpr);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size, size);
    if (!grids || !data) return false;

    const out = grids.layers[grids.layers.length - 1];
    const k = out.length / (grids.res * grids.res);
    if (!this.image || this.image.width !== grids.res) {
      this.image = new ImageData(grids.res, grids.res);
      this.scratch.width = this.scratch.height = grids.res;
    }
    if (k === 1) paintColumn(this.image, out, 1, 0, 0, 1);
    else paintGrid(this.image, out, k, outputColor);
    this.scratch.getContext('2d')!.putImageData(this.image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    // the regions paler than the points, so each point's own class colour stands out
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size, size);
    ctx.globalAlpha = 0.6;
    ctx.drawImage(this.scratch, 0, 0, size, size);
    ctx.globalAlpha = 1;

    const [x0, x1, y0, y1] = grids.box;
    const sx = (x: number) => ((x - x0) / (x1 - x0)) * size;
    const sy = (y: number) => ((y1 - y) / (y1 - y0)) * size;
    // test rows are rings in their class colour, drawn first: a training point on top of one stays whole
    this.dots = [];
    const dot = (p: number[], t: number[], test: boolean) => {
      const color = CLASS_COLORS[classOf(t) % CLASS_COLORS.length];
      ctx.beginPath();
      ctx.arc(sx(p[0]), sy(p[1]), test ? 4 : 3, 0, 2 * Math.PI);
      if (test) {
        ctx.lineWidth = 2;
        ctx.strokeStyle = css(color);
        ctx.stroke();
        return;
      }
      ctx.fillStyle = css(color);
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = '#fff';
      ctx.stroke();
      this.dots.push({ x: sx(p[0]), y: sy(p[1]), color });
    };
    if (showTest) data.testX.forEach((p, i) => dot(p, data.testY[i], true));
    data.trainX.forEach((p, i) => dot(p, data.trainY[i], false));

    ctx.fillStyle = '#333';
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillText(data.inputs[0], 4, size - 4);
    ctx.save();
    ctx.translate(12, 4 + ctx.measureText(data.inputs[1]).width);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(data.inputs[1], 0, 0);
    ctx.restore();
    return true;
  }
}
