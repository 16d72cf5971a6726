/**
 * e^x, log, log1p, tanh and whole powers made of IEEE additions, multiplications and divisions only, in a fixed
 * order. The engine's Math.exp/log/tanh differ between JavaScript engines and versions in the
 * last bit; these give the same bits everywhere, and assembly/math64.ts computes the very same
 * operations in WebAssembly (test/math.test.ts checks both), so the float64 kernel and the
 * JavaScript paths train to identical weights, in Node and in browsers alike.
 * Each is within 3 ulp of the engine's own (test/math.test.ts).
 */

const LOG2E = 1.4426950408889634;
const LN2_HI = 0.6931471803691238; // 0x3fe62e42fee00000: 32 significant bits, so k·LN2_HI is exact
const LN2_LO = 1.9082149292705877e-10;
const ROUND = 6755399441055744.0; // 1.5·2⁵²: adding it rounds to an integer, kept in the low bits

// the exponent field of a double, written and read through one 8-byte buffer
const bits = new Float64Array(1);
const words = new Int32Array(bits.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // the high word's index

/** 2^k for a whole k in [−1022, 1023]. */
function pow2(k: number): number {
  words[1 - HI] = 0;
  words[HI] = (k + 1023) << 20;
  return bits[0];
}

/**
 * e^x: x = k·ln 2 + r with |r| ≤ ½ ln 2, e^r by its Taylor series to r¹³ evaluated by Estrin's
 * scheme, times 2^k. x is first clamped to [−708, 709] (e^−708 ≈ 3e−308 stands for anything
 * smaller, e^709 ≈ 8e307 for anything larger); NaN stays NaN.
 */
export function exp(x: number): number {
  x = x < -708 ? -708 : x > 709 ? 709 : x;
  const t = x * LOG2E + ROUND;
  const k = t - ROUND;
  const r = x - k * LN2_HI - k * LN2_LO;
  const r2 = r * r;
  const r4 = r2 * r2;
  const r8 = r4 * r4;
  const q0 = r * 1 + 1;
  const q1 = r * (1 / 6) + 0.5;
  const q2 = r * (1 / 120) + 1 / 24;
  const q3 = r * (1 / 5040) + 1 / 720;
  const q4 = r * (1 / 362880) + 1 / 40320;
  const q5 = r * (1 / 39916800) + 1 / 3628800;
  const q6 = r * (1 / 6227020800) + 1 / 479001600;
  const s0 = q0 + q1 * r2;
  const s1 = q2 + q3 * r2;
  const s2 = q4 + q5 * r2;
  const u0 = s0 + s1 * r4;
  const u1 = s2 + q6 * r4;
  const p = u0 + u1 * r8;
  return k === k ? p * pow2(k) : NaN;
}

/**
 * log x: x = 2^k·m with m in [√½, √2), log m = 2·atanh(s) with s = (m − 1)/(m + 1), |s| ≤ 0.172,
 * by its series to s²¹. 0 gives −Infinity, negatives NaN, Infinity itself.
 */
export function log(x: number): number {
  if (!(x > 0) || x === Infinity) return x === 0 ? -Infinity : x === Infinity ? x : NaN;
  let k = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984; // 2⁵⁴: subnormals become normal
    k = -54;
  }
  bits[0] = x;
  const hi = words[HI];
  k += ((hi >>> 20) & 0x7ff) - 1023;
  words[HI] = (hi & 0x000fffff) | 0x3ff00000; // m in [1, 2)
  let m = bits[0];
  if (m > Math.SQRT2) {
    m *= 0.5;
    k += 1;
  }
  const s = (m - 1) / (m + 1);
  const z = s * s;
  const p =
    1 + z * (1 / 3 + z * (1 / 5 + z * (1 / 7 + z * (1 / 9 + z * (1 / 11 + z * (1 / 13 + z * (1 / 15 + z * (1 / 17 + z * (1 / 19 + z * (1 / 21))))))))));
  return k * LN2_HI + (2 * s * p + k * LN2_LO);
}

/** log(1 + x), accurate for small x too: log(w)·x / (w − 1) with w = 1 + x. */
export function log1p(x: number): number {
  const w = 1 + x;
  if (w === 1) return x;
  if (w === Infinity) return w;
  return (log(w) * x) / (w - 1);
}

/**
 * tanh x = e/(e + 2) with e = e^(2|x|) − 1, sign restored: e^(2|x|) − 1 directly for |x| ≥ 0.625,
 * by its Taylor series to the 21st power below, where the subtraction would cancel; ±1 beyond 22.
 */
export function tanh(x: number): number {
  if (x !== x) return NaN;
  const a = x < 0 ? -x : x;
  let r: number;
  if (a > 22) r = 1;
  else if (a >= 0.625) {
    const e = exp(2 * a) - 1;
    r = e / (e + 2);
  } else {
    const y = 2 * a;
    let e = INV_FACTORIAL[21];
    for (let n = 20; n >= 1; n--) e = e * y + INV_FACTORIAL[n];
    e *= y;
    r = e / (e + 2);
  }
  return x < 0 ? -r : x === 0 ? x : r;
}

/** 1/n! for n = 0 … 21 (the same literals as assembly/math64.ts). */
const INV_FACTORIAL = [
  1, 1, 0.5, 0.16666666666666666, 0.041666666666666664, 0.008333333333333333, 0.001388888888888889, 0.0001984126984126984,
  0.0000248015873015873, 0.0000027557319223985893, 2.755731922398589e-7, 2.505210838544172e-8, 2.08767569878681e-9, 1.6059043836821613e-10, 1.1470745597729725e-11,
  7.647163731819816e-13, 4.779477332387385e-14, 2.8114572543455206e-15, 1.5619206968586225e-16, 8.22063524662433e-18, 4.110317623312165e-19, 1.9572941063391263e-20,
];

/**
 * x^n for a whole n ≥ 0 by squaring and multiplying (Adam's bias corrections, learning-rate
 * schedules): a fixed sequence of multiplications, so every engine gives the same bits; exact
 * for powers of two, within about n ulp otherwise.
 */
export function powi(x: number, n: number): number {
  let result = 1;
  let base = x;
  for (let k = n; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) result *= base;
    if (k > 1) base *= base;
  }
  return result;
}

// π/2 in three parts of 33 significant bits and the tail after the last two (fdlibm's pio2_1, pio2_2, pio2_2t, …):
// n·part is exact for |n| < 2²⁰
const PIO2_1 = 1.57079632673412561417;
const PIO2_2 = 6.0771005063039659766e-11;
const PIO2_2T = 2.02226624879595063154e-21;
const PIO2_3 = 2.0222662487111664558e-21;
const PIO2_3T = 8.47842766036889956997e-32;
const INV_PIO2 = 0.636619772367581382433;

/** sin(x + y) for |x + y| ≤ π/4, y the tail of x (fdlibm's __kernel_sin). */
function sinKernel(x: number, y: number): number {
  const z = x * x;
  const v = z * x;
  const r = 8.33333333332248946124e-3 + z * (-1.98412698298579493134e-4 + z * (2.75573137070700676789e-6 + z * (-2.50507602534068634195e-8 + z * 1.58969099521155010221e-10)));
  return x - (z * (0.5 * y - v * r) - y - v * -1.66666666666666324348e-1);
}

/** cos(x + y) for |x + y| ≤ π/4, y the tail of x (fdlibm's __kernel_cos). */
function cosKernel(x: number, y: number): number {
  const z = x * x;
  const w = z * z;
  const r = z * (4.16666666666666019037e-2 + z * (-1.38888888888741095749e-3 + z * 2.48015872894767294178e-5)) + w * w * (-2.75573143513906633035e-7 + z * (2.08757232129817482790e-9 + z * -1.13596475577881948265e-11));
  const hz = 0.5 * z;
  const u = 1 - hz;
  return u + (1 - u - hz + (z * r - x * y));
}

/** x − n·π/2 as a head and a tail, and n mod 4, n the whole number nearest x·2/π (fdlibm's reduction of medium arguments, all three rounds). */
function reduce(x: number): [number, number, number] {
  const n = Math.round(x * INV_PIO2);
  // each round takes the next part of π/2 off and carries what the subtraction lost into the tail w
  const t1 = x - n * PIO2_1;
  let w = n * PIO2_2;
  const t2 = t1 - w;
  w = n * PIO2_2T - (t1 - t2 - w);
  const r0 = t2;
  w = n * PIO2_3;
  const r = r0 - w;
  w = n * PIO2_3T - (r0 - r - w);
  const head = r - w;
  return [head, r - head - w, n & 3];
}

/**
 * sin x from a reduction by π/2 and fdlibm's polynomials, in a fixed order of IEEE operations, so
 * that every engine gives the same bits (the engines' Math.sin differ in the last bit). Within
 * 1 ulp of the true value for |x| up to about 1.6 million; NaN for ±Infinity and NaN.
 */
export function sin(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  if (x > -7.450580596923828e-9 && x < 7.450580596923828e-9) return x; // 2⁻²⁷: sin x = x to the last bit (and −0 stays −0)
  const [h, t, q] = reduce(x);
  return q === 0 ? sinKernel(h, t) : q === 1 ? cosKernel(h, t) : q === 2 ? -sinKernel(h, t) : -cosKernel(h, t);
}

/** cos x, as sin is made (see there). */
export function cos(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  const [h, t, q] = reduce(x);
  return q === 0 ? cosKernel(h, t) : q === 1 ? -sinKernel(h, t) : q === 2 ? -cosKernel(h, t) : sinKernel(h, t);
}
