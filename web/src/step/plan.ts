/**
 * The step-through of one pass: the library's trace in the order the slides compute it, one
 * named matrix at a time (H_in, H_out, …, O_delta, W2_update, …, W1_update), then the update
 * W ← W − α·W_update of each layer; for any cell of a stage, the cells it was computed from and
 * the part of the network diagram it belongs to. No DOM here.
 */
import type { TraceEntry } from '../../../src/index.js';

export type StageKind = 'in' | 'out' | 'error' | 'delta' | 'W_update' | 'b_update' | 'W_apply' | 'b_apply';

export interface Stage {
  /** The matrix's name in the trace (W1_new, b1_new for the updates). */
  name: string;
  /** What the page shows as its title: the name, or `W1 ← W1 − α·W1_update`. */
  title: string;
  formula: string;
  value: number[][];
  kind: StageKind;
  /** 0-based layer the matrix belongs to. */
  layer: number;
}

/** The cells of one matrix a stage's cell was computed from. */
export interface Source {
  matrix: string;
  cells: [number, number][];
}

/** What lights in the diagram: nodes as [column, index] (column 0: the inputs), edges as [layer, from, to]. */
export interface Lit {
  nodes: [number, number][];
  edges: [number, number, number][];
}

export class StepPlan {
  readonly stages: Stage[] = [];
  /** Layer prefixes in order: H, O or H1, H2, …, O. */
  readonly prefixes: string[];
  private readonly byName = new Map<string, TraceEntry>();
  private readonly fused: boolean;
  /** The regularisation the trace's W_update include (l2·W + l1·sign(W)); 0 each without. */
  private readonly penalty: { l1: number; l2: number };

  /**
   * `rate` and `optimizer`: the step's learning rate, and the optimizer (the formula says when it
   * is not plain gradient descent); `penalty`: the l1 and l2 the trace was made with.
   */
  constructor(entries: TraceEntry[], rate: number, optimizer: string, penalty: { l1?: number; l2?: number } = {}) {
    this.penalty = { l1: penalty.l1 ?? 0, l2: penalty.l2 ?? 0 };
    for (const e of entries) this.byName.set(e.name, e);
    this.prefixes = entries.filter((e) => e.name.endsWith('_in')).map((e) => e.name.slice(0, -3));
    const outPrefix = this.prefixes[this.prefixes.length - 1];
    this.fused = /cancel/.test(this.byName.get(`${outPrefix}_delta`)?.formula ?? '');
    const kinds: [RegExp, StageKind][] = [
      [/^(\w+)_in$/, 'in'],
      [/^(\w+)_out$/, 'out'],
      [/^(\w+)_error$/, 'error'],
      [/^(\w+)_delta$/, 'delta'],
      [/^W(\d+)_update$/, 'W_update'],
      [/^b(\d+)_update$/, 'b_update'],
    ];
    for (const e of entries) {
      for (const [re, kind] of kinds) {
        const m = re.exec(e.name);
        if (!m) continue;
        const layer = kind.endsWith('update') ? Number(m[1]) - 1 : this.prefixes.indexOf(m[1]);
        this.stages.push({ name: e.name, title: e.name, formula: e.formula, value: e.value, kind, layer });
        break;
      }
    }
    const how = optimizer === 'sgd' ? '' : `   (plain gradient descent; ${optimizer} scales each step by its own running averages)`;
    this.prefixes.forEach((_, i) => {
      for (const p of ['W', 'b'] as const) {
        const w = this.byName.get(`${p}${i + 1}`);
        const u = this.byName.get(`${p}${i + 1}_update`);
        if (!w || !u) continue;
        const value = w.value.map((row, r) => row.map((v, c) => v - rate * u.value[r][c]));
        const title = `${p}${i + 1} ← ${p}${i + 1} − α·${p}${i + 1}_update`;
        this.stages.push({ name: `${p}${i + 1}_new`, title, formula: `${title}   (α = ${rate})${how}`, value, kind: `${p}_apply`, layer: i });
      }
    });
  }

  /** The trace's entry called `name`. */
  entry(name: string): TraceEntry | undefined {
    return this.byName.get(name);
  }

  /** The trace's matrix called `name`. */
  matrix(name: string): number[][] | undefined {
    return this.byName.get(name)?.value;
  }

  /** The input of layer i: X, or the previous layer's output. */
  private inputOf(i: number): string {
    return i === 0 ? 'X' : `${this.prefixes[i - 1]}_out`;
  }

  /** The matrices and cells that cell (r, c) of `stage` was computed from. */
  sources(stage: Stage, r: number, c: number): Source[] {
    const i = stage.layer;
    const p = this.prefixes[i];
    const n = this.prefixes.length;
    const row = (m: string, at: number) => ({ matrix: m, cells: (this.matrix(m)?.[at] ?? []).map((_, k): [number, number] => [at, k]) });
    const col = (m: string, at: number) => ({ matrix: m, cells: (this.matrix(m) ?? []).map((_, k): [number, number] => [k, at]) });
    const cell = (m: string, a: number, b: number) => ({ matrix: m, cells: [[a, b]] as [number, number][] });
    const list: Source[] = (() => {
      switch (stage.kind) {
        case 'in':
          return [row(this.inputOf(i), r), col(`W${i + 1}`, c), cell(`b${i + 1}`, 0, c)];
        case 'out':
          return [cell(`${p}_in`, r, c)];
        case 'error':
          return i === n - 1 ? [cell(`${p}_out`, r, c), cell('Y', r, c)] : [row(`${this.prefixes[i + 1]}_delta`, r), row(`W${i + 2}`, c)];
        case 'delta':
          return i === n - 1 && this.fused ? [cell(`${p}_out`, r, c), cell('Y', r, c)] : [cell(`${p}_error`, r, c), cell(`${p}_in`, r, c)];
        case 'W_update':
          // with regularisation, W_update also reads the weight itself: + l2·W + l1·sign(W)
          return [col(this.inputOf(i), r), col(`${p}_delta`, c), ...(this.penalised ? [cell(`W${i + 1}`, r, c)] : [])];
        case 'b_update':
          return [col(`${p}_delta`, c)];
        case 'W_apply':
          return [cell(`W${i + 1}`, r, c), cell(`W${i + 1}_update`, r, c)];
        case 'b_apply':
          return [cell(`b${i + 1}`, 0, c), cell(`b${i + 1}_update`, 0, c)];
      }
    })();
    return list.filter((s) => this.byName.has(s.matrix));
  }

  /**
   * Cell (r, c) worked out from its sources, with `fmt` for the numbers, where the formula is a
   * sum of products or a difference: `6.4·0.4 + 3.2·0.0 + … = 0.91`; otherwise ''.
   */
  arithmetic(stage: Stage, r: number, c: number, fmt: (v: number) => string): string {
    const src = this.sources(stage, r, c);
    const values = (k: number) => src[k].cells.map(([a, b]) => this.matrix(src[k].matrix)![a][b]);
    const par = (v: number) => (v < 0 ? `(${fmt(v)})` : fmt(v));
    const products = (a: number[], b: number[]) => {
      const terms = a.map((v, k) => `${par(v)}·${par(b[k])}`);
      return terms.length > 6 ? [...terms.slice(0, 5), '…'].join(' + ') : terms.join(' + ');
    };
    const result = ` = ${fmt(stage.value[r][c])}`;
    switch (stage.kind) {
      case 'in':
        return products(values(0), values(1)) + (src[2] ? ` + ${par(values(2)[0])}` : '') + result;
      case 'W_update': {
        const scale = / {3}\((.+?) = /.exec(stage.formula); // `W1_update = 1/(2N) · Xᵀ·H_delta   (1/(2N) = 0.1667)`
        const sum = `${scale ? `${scale[1]} · ` : ''}(${products(values(0), values(1))})`;
        return sum + (this.penalised ? this.penaltyArithmetic(values(2)[0], fmt, par) : '') + result;
      }
      case 'error':
        return src[1]?.matrix === 'Y' ? `${par(values(0)[0])} − ${par(values(1)[0])}${result}` : products(values(0), values(1)) + result;
      case 'W_apply':
      case 'b_apply':
        return `${par(values(0)[0])} − α·${par(values(1)[0])}${result}`;
      default:
        return '';
    }
  }

  /** Whether the trace's W_update include a penalty. */
  private get penalised(): boolean {
    return this.penalty.l1 !== 0 || this.penalty.l2 !== 0;
  }

  /** The penalty's part of a W_update cell, for the weight w: ` + l2·w + l1·sign(w)` with the numbers. */
  private penaltyArithmetic(w: number, fmt: (v: number) => string, par: (v: number) => string): string {
    const { l1, l2 } = this.penalty;
    return (l2 ? ` + ${l2}·${par(w)}` : '') + (l1 ? ` + ${l1}·sign(${fmt(w)})` : '');
  }

  /** The nodes and edges of the diagram that cell (r, c) of `stage` belongs to. */
  lit(stage: Stage, r: number, c: number): Lit {
    const i = stage.layer;
    const n = this.prefixes.length;
    const size = (col: number) => (col === 0 ? (this.matrix('X')?.[0]?.length ?? 0) : (this.matrix(`W${col}`)?.[0]?.length ?? 0));
    const all = (col: number) => Array.from({ length: size(col) }, (_, k): [number, number] => [col, k]);
    switch (stage.kind) {
      case 'in':
        return { nodes: [...all(i), [i + 1, c]], edges: all(i).map(([, k]): [number, number, number] => [i, k, c]) };
      case 'error':
        if (i < n - 1) {
          return { nodes: [[i + 1, c], ...all(i + 2)], edges: all(i + 2).map(([, k]): [number, number, number] => [i + 1, c, k]) };
        }
        return { nodes: [[i + 1, c]], edges: [] };
      case 'W_update':
      case 'W_apply':
        return { nodes: [[i, r], [i + 1, c]], edges: [[i, r, c]] };
      default:
        return { nodes: [[i + 1, c]], edges: [] };
    }
  }
}
