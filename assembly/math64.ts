// e^x, log, log1p and tanh for the float64 kernel (assembly/float64.ts): the operations of
// src/nn/math.ts, in the same order, so both give the same bits (test/math.test.ts).

// e^x for two lanes: x = k·ln 2 + r with |r| ≤ ½ ln 2 (ln 2 split in two so that k·LN2_HI is
// exact), e^r by its Taylor series to r¹³ (truncation below 2⁻⁵⁷) evaluated by Estrin's scheme,
// times 2^k written into the exponent bits. k is rounded by adding 1.5·2⁵², which leaves k in the
// low bits of the sum. Within 2 ulp for x in [−708, 709]; beyond that range x is clamped (e^−708
// ≈ 3e−308 stands for anything smaller, e^709 ≈ 8e307 for anything larger); NaN stays NaN.
const LOG2E: f64 = 1.4426950408889634;
const LN2_HI: f64 = 0.6931471803691238; // 0x3fe62e42fee00000: 32 significant bits
const LN2_LO: f64 = 1.9082149292705877e-10;
const ROUND: f64 = 6755399441055744.0; // 1.5·2⁵²
@inline function fma2(a: v128, b: v128, c: f64): v128 {
  return f64x2.add(f64x2.mul(a, b), f64x2.splat(c));
}
@inline export function expv(x: v128): v128 {
  x = f64x2.pmax(f64x2.pmin(x, f64x2.splat(709)), f64x2.splat(-708)); // pmin/pmax keep a NaN x
  const t = fma2(x, f64x2.splat(LOG2E), ROUND);
  const k = f64x2.sub(t, f64x2.splat(ROUND));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(k, f64x2.splat(LN2_HI))), f64x2.mul(k, f64x2.splat(LN2_LO)));
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const r8 = f64x2.mul(r4, r4);
  // Σ rⁿ/n!, n = 0 … 13, in pairs, then pairs of pairs
  const q0 = fma2(r, f64x2.splat(1), 1);
  const q1 = fma2(r, f64x2.splat(1.0 / 6.0), 0.5);
  const q2 = fma2(r, f64x2.splat(1.0 / 120.0), 1.0 / 24.0);
  const q3 = fma2(r, f64x2.splat(1.0 / 5040.0), 1.0 / 720.0);
  const q4 = fma2(r, f64x2.splat(1.0 / 362880.0), 1.0 / 40320.0);
  const q5 = fma2(r, f64x2.splat(1.0 / 39916800.0), 1.0 / 3628800.0);
  const q6 = fma2(r, f64x2.splat(1.0 / 6227020800.0), 1.0 / 479001600.0);
  const s0 = f64x2.add(q0, f64x2.mul(q1, r2));
  const s1 = f64x2.add(q2, f64x2.mul(q3, r2));
  const s2 = f64x2.add(q4, f64x2.mul(q5, r2));
  const u0 = f64x2.add(s0, f64x2.mul(s1, r4));
  const u1 = f64x2.add(s2, f64x2.mul(q6, r4));
  const p = f64x2.add(u0, f64x2.mul(u1, r8));
  const scale = i64x2.add(i64x2.shl(t, 52), i64x2.splat(<i64>1023 << 52));
  return f64x2.mul(p, scale);
}
/** The same e^x for one value (lane 0 of the two-lane version, so both give the same bits). */
@inline export function exp1(x: f64): f64 {
  return f64x2.extract_lane(expv(f64x2.splat(x)), 0);
}
/** e^x for every element of a row of n values at p, in place. */
export function expRow(p: usize, n: i32): void {
  let j = 0;
  for (; j + 2 <= n; j += 2) v128.store(p + (<usize>j << 3), expv(v128.load(p + (<usize>j << 3))));
  if (j < n) store<f64>(p + (<usize>j << 3), exp1(load<f64>(p + (<usize>j << 3))));
}

// log, log1p and tanh for one value, the operations of src/nn/math.ts in the same order.
const SQRT2: f64 = 1.4142135623730951;
/** log x: x = 2^k·m, m in [√½, √2), log m = 2·atanh((m − 1)/(m + 1)) by its series to s²¹. */
export function log1(x: f64): f64 {
  if (!(x > 0) || x == Infinity) return x == 0 ? -Infinity : x == Infinity ? x : NaN;
  let k: i32 = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984.0; // 2⁵⁴: subnormals become normal
    k = -54;
  }
  const b = reinterpret<u64>(x);
  const hi = <u32>(b >> 32);
  k += <i32>((hi >> 20) & 0x7ff) - 1023;
  let m = reinterpret<f64>((<u64>((hi & 0x000fffff) | 0x3ff00000) << 32) | (b & 0xffffffff));
  if (m > SQRT2) {
    m *= 0.5;
    k += 1;
  }
  const s = (m - 1) / (m + 1);
  const z = s * s;
  const p: f64 =
    1 + z * (1.0 / 3 + z * (1.0 / 5 + z * (1.0 / 7 + z * (1.0 / 9 + z * (1.0 / 11 + z * (1.0 / 13 + z * (1.0 / 15 + z * (1.0 / 17 + z * (1.0 / 19 + z * (1.0 / 21))))))))));
  const kf = <f64>k;
  return kf * LN2_HI + (2 * s * p + kf * LN2_LO);
}
/** log(1 + x) = log(w)·x / (w − 1) with w = 1 + x. */
export function log1p1(x: f64): f64 {
  const w = 1 + x;
  if (w == 1) return x;
  if (w == Infinity) return w;
  return (log1(w) * x) / (w - 1);
}
/** 1/n! for n = 0 … 21 (the same literals as src/nn/math.ts). */
const INV_FACTORIAL: StaticArray<f64> = [
  1.0, 1.0, 0.5, 0.16666666666666666, 0.041666666666666664, 0.008333333333333333, 0.001388888888888889, 0.0001984126984126984, 0.0000248015873015873, 0.0000027557319223985893, 2.755731922398589e-7, 2.505210838544172e-8, 2.08767569878681e-9, 1.6059043836821613e-10, 1.1470745597729725e-11, 7.647163731819816e-13, 4.779477332387385e-14, 2.8114572543455206e-15, 1.5619206968586225e-16, 8.22063524662433e-18, 4.110317623312165e-19, 1.9572941063391263e-20
];
/** tanh x = e/(e + 2), e = e^(2|x|) − 1 (by its series below 0.625), sign restored; ±1 beyond 22. */
export function tanh1(x: f64): f64 {
  if (x != x) return NaN;
  const a = x < 0 ? -x : x;
  let r: f64;
  if (a > 22) r = 1;
  else if (a >= 0.625) {
    const e = exp1(2 * a) - 1;
    r = e / (e + 2);
  } else {
    const y = 2 * a;
    let e = unchecked(INV_FACTORIAL[21]);
    for (let n = 20; n >= 1; n--) e = e * y + unchecked(INV_FACTORIAL[n]);
    e *= y;
    r = e / (e + 2);
  }
  return x < 0 ? -r : x == 0 ? x : r;
}

/** Exported for the tests: the kernel's log, log1p and tanh. */
export function log(x: f64): f64 {
  return log1(x);
}
export function log1p(x: f64): f64 {
  return log1p1(x);
}
export function tanh(x: f64): f64 {
  return tanh1(x);
}

/** Exported for the tests: e^x as the kernel computes it. */
export function exp(x: f64): f64 {
  return exp1(x);
}
