/**
 * The network diagram: one column of nodes per layer, each node showing its output over the
 * input plane; each edge a weight, its colour the sign and its width the size.
 */
import type { Grids } from '../session.js';
import type { Lit } from '../step/plan.js';
import { paintColumn } from './boundary.js';
import { activationRange, NEGATIVE, POSITIVE } from './colors.js';

const SVG = 'http://www.w3.org/2000/svg';

export interface Shape {
  /** Units per column: inputs, then each layer. */
  sizes: number[];
  /** Activation of each layer (one fewer than sizes). */
  activations: string[];
  /** Names of the input columns. */
  inputs: string[];
}

interface Placed {
  x: number;
  y: number;
}

export class Diagram {
  private shapeKey = '';
  private svg!: SVGSVGElement;
  private edges: SVGPathElement[][] = [];
  private nodes: HTMLCanvasElement[][] = [];
  /** One reused picture per node. */
  private images = new Map<HTMLCanvasElement, ImageData>();
  private node = 30;
  private width = 0;
  private sizes: number[] = [];
  /** What the step-through has lit, kept across rebuilds. */
  private lit?: Lit;

  constructor(private readonly container: HTMLElement) {}

  /** Rebuilds the nodes and edges when the shape or the container's width changed. */
  private build(shape: Shape): void {
    const width = this.container.clientWidth;
    const key = JSON.stringify(shape) + width;
    if (key === this.shapeKey) return;
    this.shapeKey = key;
    this.width = width;
    this.sizes = shape.sizes;
    const cols = shape.sizes.length;
    this.node = Math.max(20, Math.min(34, Math.floor(width / cols / 2.2)));
    const gap = Math.round(this.node * 0.45);
    const tallest = Math.max(...shape.sizes);
    const height = tallest * (this.node + gap) + 8;
    const place = (c: number, i: number): Placed => {
      const n = shape.sizes[c];
      const top = (height - n * (this.node + gap) + gap) / 2;
      return { x: ((c + 0.5) / cols) * width, y: top + i * (this.node + gap) + this.node / 2 };
    };

    this.container.replaceChildren();
    this.images.clear();
    this.container.style.height = `${height}px`;
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.setAttribute('width', String(width));
    this.svg.setAttribute('height', String(height));
    this.svg.setAttribute('aria-hidden', 'true');
    this.container.append(this.svg);

    this.edges = [];
    for (let l = 0; l + 1 < cols; l++) {
      const rows: SVGPathElement[] = [];
      for (let i = 0; i < shape.sizes[l]; i++) {
        for (let j = 0; j < shape.sizes[l + 1]; j++) {
          const a = place(l, i);
          const b = place(l + 1, j);
          const ax = a.x + this.node / 2;
          const bx = b.x - this.node / 2;
          const mid = (ax + bx) / 2;
          const path = document.createElementNS(SVG, 'path');
          path.setAttribute('d', `M${ax},${a.y} C${mid},${a.y} ${mid},${b.y} ${bx},${b.y}`);
          path.setAttribute('fill', 'none');
          path.setAttribute('stroke-opacity', '0.85');
          path.append(document.createElementNS(SVG, 'title'));
          this.svg.append(path);
          rows.push(path);
        }
      }
      this.edges.push(rows);
    }

    this.nodes = shape.sizes.map((n, c) =>
      Array.from({ length: n }, (_, i) => {
        const p = place(c, i);
        const canvas = document.createElement('canvas');
        canvas.className = 'node';
        canvas.width = canvas.height = 1;
        canvas.style.width = canvas.style.height = `${this.node}px`;
        canvas.style.left = `${p.x - this.node / 2}px`;
        canvas.style.top = `${p.y - this.node / 2}px`;
        canvas.title = c === 0 ? `input ${shape.inputs[i] ?? i + 1}` : `layer ${c}, neuron ${i + 1}: ${shape.activations[c - 1]}`;
        this.container.append(canvas);
        return canvas;
      }),
    );
  }

  /**
   * Draws the weights on the edges and, when the inputs are 2-D, each node's output over the
   * plane. `detail` also refreshes each edge's tooltip with its exact weight.
   */
  draw(shape: Shape, weights: { W: number[][] }[], grids: Grids | undefined, detail: boolean): void {
    if (this.container.clientWidth !== this.width) this.shapeKey = '';
    this.build(shape);
    weights.forEach((layer, l) => {
      const rows = this.edges[l];
      if (!rows) return;
      const units = layer.W[0].length;
      layer.W.forEach((row, i) =>
        row.forEach((w, j) => {
          const path = rows[i * units + j];
          const stroke = w < 0 ? NEGATIVE : POSITIVE;
          const width = (0.4 + Math.min(Math.abs(w), 4) * 1.4).toFixed(1);
          if (path.getAttribute('stroke') !== stroke) path.setAttribute('stroke', stroke);
          if (path.getAttribute('stroke-width') !== width) path.setAttribute('stroke-width', width);
          if (detail) path.firstElementChild!.textContent = `W${l + 1}[${i + 1},${j + 1}] = ${w.toFixed(4)}`;
        }),
      );
    });
    this.drawNodes(shape, grids);
    this.light(this.lit);
  }

  /** Lights the nodes and edges of one cell of the step-through (the rest fades); undefined lights all. */
  light(lit: Lit | undefined): void {
    this.lit = lit;
    this.container.classList.toggle('lighting', lit !== undefined);
    for (const el of this.container.querySelectorAll('.lit')) el.classList.remove('lit');
    if (!lit) return;
    for (const [c, i] of lit.nodes) this.nodes[c]?.[i]?.classList.add('lit');
    for (const [l, i, j] of lit.edges) this.edges[l]?.[i * this.sizes[l + 1] + j]?.classList.add('lit');
  }

  private plane?: { key: string; coords: Float32Array };

  /** The inputs' "outputs": the coordinates of the grid's points themselves. */
  private inputPlane(grids: Grids): Float32Array {
    const key = `${grids.res} ${grids.box.join(' ')}`;
    if (this.plane?.key === key) return this.plane.coords;
    const res = grids.res;
    const [x0, x1, y0, y1] = grids.box;
    const coords = new Float32Array(res * res * 2);
    for (let r = 0; r < res; r++) {
      for (let c = 0; c < res; c++) {
        coords[(r * res + c) * 2] = x0 + ((c + 0.5) / res) * (x1 - x0);
        coords[(r * res + c) * 2 + 1] = y1 - ((r + 0.5) / res) * (y1 - y0);
      }
    }
    this.plane = { key, coords };
    return coords;
  }

  private drawNodes(shape: Shape, grids: Grids | undefined): void {
    if (!grids) {
      for (const col of this.nodes) for (const c of col) c.classList.add('plain');
      return;
    }
    const res = grids.res;
    const [x0, x1, y0, y1] = grids.box;
    const columns = [this.inputPlane(grids), ...grids.layers];
    const ranges: [number, number][] = [
      [Math.min(x0, y0), Math.max(x1, y1)],
      ...shape.activations.map(activationRange),
    ];
    columns.forEach((values, c) => {
      const units = shape.sizes[c];
      const [lo, hi] = ranges[c];
      this.nodes[c]?.forEach((canvas, i) => {
        canvas.classList.remove('plain');
        if (canvas.width !== res) canvas.width = canvas.height = res;
        const ctx = canvas.getContext('2d')!;
        let image = this.images.get(canvas);
        if (!image || image.width !== res) this.images.set(canvas, (image = ctx.createImageData(res, res)));
        paintColumn(image, values, units, i, lo, hi);
        ctx.putImageData(image, 0, 0);
      });
    });
  }
}
