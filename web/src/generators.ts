/**
 * The playground's 2-D point sets, drawn in the square [−1, 1]² from the library's seeded generator,
 * with the library's sin and cos (the engines' Math.sin and Math.cos differ in the last bit), so a
 * seed gives the same points in every browser and in Node.
 */
import type { Random } from '../../src/tensor/random.js';
import { cos, sin } from '../../src/nn/math.js';

export const PLANE_SETS = ['xor', 'circle', 'spirals', 'gauss'] as const;
export type PlaneSet = (typeof PLANE_SETS)[number];

/** Points and their class index, 0 or 1. */
export interface Labelled {
  points: number[][];
  labels: number[];
}

export const GENERATORS: Record<PlaneSet, (n: number, rng: Random) => Labelled> = {
  /** Four quadrants, kept a little away from the axes; class 1 where x and y have the same sign. */
  xor(n, rng) {
    const pad = 0.05;
    const points: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      let x = rng.uniform(-1, 1);
      let y = rng.uniform(-1, 1);
      x += x > 0 ? pad : -pad;
      y += y > 0 ? pad : -pad;
      points.push([x / (1 + pad), y / (1 + pad)]);
      labels.push(x * y > 0 ? 1 : 0);
    }
    return { points, labels };
  },
  /** Class 1 inside radius 0.5, class 0 in the ring from 0.7 to 1. */
  circle(n, rng) {
    const points: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const inside = i < n / 2;
      const r = inside ? rng.uniform(0, 0.5) : rng.uniform(0.7, 1);
      const t = rng.uniform(0, 2 * Math.PI);
      points.push([r * sin(t), r * cos(t)]);
      labels.push(inside ? 1 : 0);
    }
    return { points, labels };
  },
  /** Two interleaved spirals, one turn and three quarters each. */
  spirals(n, rng) {
    const points: number[][] = [];
    const labels: number[] = [];
    const half = Math.ceil(n / 2);
    for (let i = 0; i < n; i++) {
      const cls = i < half ? 1 : 0;
      const k = cls ? i : i - half;
      const r = (k / half) * 0.95 + 0.05 * rng.next();
      const t = 1.75 * (k / half) * 2 * Math.PI + (cls ? 0 : Math.PI);
      points.push([r * sin(t), r * cos(t)]);
      labels.push(cls);
    }
    return { points, labels };
  },
  /** Two round clusters around (0.45, 0.45) and (−0.45, −0.45). */
  gauss(n, rng) {
    const points: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const cls = i % 2;
      const c = cls ? 0.45 : -0.45;
      points.push([c + 0.18 * rng.normal(), c + 0.18 * rng.normal()]);
      labels.push(cls);
    }
    return { points, labels };
  },
};
