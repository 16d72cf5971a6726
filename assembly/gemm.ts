// WebAssembly SIMD kernels (AssemblyScript), float32, for the backend in src/tensor/wasm.ts.
// C (m×n) = alpha · op(A) · op(B) + beta · C, with A, B, C row-major at byte addresses in this
// module's memory. op(A) and op(B) are packed into contiguous panels first (alpha applied while
// packing A), so X·W, Xᵀ·D and D·Wᵀ all run the same register-blocked micro-kernel:
// a 5×8 tile of C held in ten 128-bit accumulators, updated once per step along k.
//
// Every element of C is computed by the same operations in the same order whatever block of C a
// call is given (the sum runs over k in KC-deep blocks from 0, each block summed in its own
// accumulator then added to C): that is what lets src/tensor/threads.ts split one product
// between threads, each calling gemm on its own rows or columns, with the single-thread bits.
//
// Built twice by scripts/build-wasm.mjs: with its own memory (one thread) and with an imported
// shared memory (the calling thread and a helper worker run two instances on one memory).
//
// Why this shape (measured with V8, Node 20, on Zen 4; see the commit messages): the loop is
// bound by the instructions V8 emits per step, not by arithmetic. So A is packed with every value
// already splatted to four lanes (a plain vector load per row, where a load32_splat at an offset
// costs V8 an extra address computation), the loop runs on a pointer compared with its end, and
// the tile has five rows (ten accumulators, two B vectors, one A vector and a product fit the
// fifteen vector registers V8 allocates; six rows spill). Unrolling along k made V8 hoist the
// loads and spill, and was slower.

const MR: i32 = 5; // rows of the micro-tile
const NR: i32 = 8; // columns of the micro-tile (two f32x4 vectors)
const KC: i32 = 256; // depth of a packed block (panels of MR×KC and KC×NR stay in L1)
const MC: i32 = 100; // rows of A packed at once (a multiple of MR; MC×KC splatted values in L2)
const NC: i32 = 1024; // columns of B packed at once

@inline function at(base: usize, ld: i32, trans: bool, r: i32, c: i32): f32 {
  return trans ? load<f32>(base + ((<usize>c * ld + r) << 2)) : load<f32>(base + ((<usize>r * ld + c) << 2));
}

/**
 * Packs alpha · op(A)[i0 .. i0+mc, p0 .. p0+kc] into MR-row panels, k-major, each value splatted
 * to a 16-byte vector; pads with zeros.
 */
function packA(a: usize, lda: i32, transA: bool, i0: i32, mc: i32, p0: i32, kc: i32, alpha: f32, dst: usize): void {
  for (let ib = 0; ib < mc; ib += MR) {
    const rows = min(MR, mc - ib);
    const panel = dst + (<usize>ib * kc << 4);
    if (!transA) {
      // rows of A are contiguous along k: read each row once, write it down the panel's column
      for (let i = 0; i < MR; i++) {
        let out = panel + (<usize>i << 4);
        if (i >= rows) {
          for (let p = 0; p < kc; p++, out += MR << 4) v128.store(out, f32x4.splat(0));
          continue;
        }
        const src = a + ((<usize>(i0 + ib + i) * lda + p0) << 2);
        for (let p = 0; p < kc; p++, out += MR << 4) v128.store(out, f32x4.splat(alpha * load<f32>(src + (<usize>p << 2))));
      }
      continue;
    }
    let out = panel;
    for (let p = 0; p < kc; p++) {
      for (let i = 0; i < MR; i++) {
        v128.store(out, f32x4.splat(i < rows ? alpha * at(a, lda, transA, i0 + ib + i, p0 + p) : 0));
        out += 16;
      }
    }
  }
}

/** Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] into NR-column panels, k-major; pads with zeros. */
function packB(b: usize, ldb: i32, transB: bool, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let jb = 0; jb < nc; jb += NR) {
    const cols = min(NR, nc - jb);
    let out = dst + (<usize>jb * kc << 2);
    if (!transB && cols == NR) {
      for (let p = 0; p < kc; p++) {
        const src = b + ((<usize>(p0 + p) * ldb + j0 + jb) << 2);
        v128.store(out, v128.load(src));
        v128.store(out, v128.load(src, 16), 16);
        out += NR << 2;
      }
      continue;
    }
    if (transB) {
      // op(B)[p][j] = B[j][p]: rows of B are contiguous along k, read each once
      for (let j = 0; j < NR; j++) {
        if (j >= cols) {
          for (let p = 0; p < kc; p++) store<f32>(out + ((<usize>(p * NR + j)) << 2), 0);
          continue;
        }
        const src = b + ((<usize>(j0 + jb + j) * ldb + p0) << 2);
        for (let p = 0; p < kc; p++) store<f32>(out + ((<usize>(p * NR + j)) << 2), load<f32>(src + (<usize>p << 2)));
      }
      continue;
    }
    for (let p = 0; p < kc; p++) {
      for (let j = 0; j < NR; j++) {
        store<f32>(out, j < cols ? at(b, ldb, transB, p0 + p, j0 + jb + j) : 0);
        out += 4;
      }
    }
  }
}

/** C[tile] += packed A panel · packed B panel, for a rows×cols tile (at most MR×NR). */
function micro(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, rows: i32, cols: i32, tmp: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  const end = ap + (<usize>kc * MR << 4);
  while (ap < end) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load(ap);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load(ap, 16);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load(ap, 32);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load(ap, 48);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    a = v128.load(ap, 64);
    c40 = f32x4.add(c40, f32x4.mul(a, b0));
    c41 = f32x4.add(c41, f32x4.mul(a, b1));
    ap += MR << 4;
    bp += NR << 2;
  }
  const row = <usize>ldc << 2;
  if (rows == MR && cols == NR) {
    v128.store(c, f32x4.add(v128.load(c), c00));
    v128.store(c, f32x4.add(v128.load(c, 16), c01), 16);
    c += row;
    v128.store(c, f32x4.add(v128.load(c), c10));
    v128.store(c, f32x4.add(v128.load(c, 16), c11), 16);
    c += row;
    v128.store(c, f32x4.add(v128.load(c), c20));
    v128.store(c, f32x4.add(v128.load(c, 16), c21), 16);
    c += row;
    v128.store(c, f32x4.add(v128.load(c), c30));
    v128.store(c, f32x4.add(v128.load(c, 16), c31), 16);
    c += row;
    v128.store(c, f32x4.add(v128.load(c), c40));
    v128.store(c, f32x4.add(v128.load(c, 16), c41), 16);
    return;
  }
  // an edge tile: spill the accumulators and add the valid part (the same additions, one lane at a time)
  v128.store(tmp, c00); v128.store(tmp, c01, 16);
  v128.store(tmp, c10, 32); v128.store(tmp, c11, 48);
  v128.store(tmp, c20, 64); v128.store(tmp, c21, 80);
  v128.store(tmp, c30, 96); v128.store(tmp, c31, 112);
  v128.store(tmp, c40, 128); v128.store(tmp, c41, 144);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const dst = c + <usize>i * row + (<usize>j << 2);
      store<f32>(dst, load<f32>(dst) + load<f32>(tmp + ((<usize>(i * NR + j)) << 2)));
    }
  }
}

/** Bytes of scratch gemm needs after `scratch` for packing (each concurrent call needs its own). */
export function scratchBytes(): i32 {
  return (MC * KC * 4 + KC * NC + MR * NR) << 2;
}

/**
 * C = alpha · op(A) · op(B) + beta · C. m×n is C's shape, k the inner size; lda, ldb, ldc are the
 * stored row lengths (columns) of A, B, C. `scratch` points at scratchBytes() free bytes.
 */
export function gemm(
  m: i32, n: i32, k: i32,
  a: usize, lda: i32, transA: bool,
  b: usize, ldb: i32, transB: bool,
  c: usize, ldc: i32,
  alpha: f32, beta: f32, scratch: usize,
): void {
  // C = beta · C
  for (let i = 0; i < m; i++) {
    const rowPtr = c + (<usize>i * ldc << 2);
    if (beta == 0) memory.fill(rowPtr, 0, <usize>n << 2);
    else if (beta != 1) {
      for (let j = 0; j < n; j++) store<f32>(rowPtr + (<usize>j << 2), beta * load<f32>(rowPtr + (<usize>j << 2)));
    }
  }
  if (alpha == 0 || k == 0) return;
  const pa = scratch;
  const pb = pa + (<usize>(MC * KC) << 4);
  const tmp = pb + (<usize>(KC * NC) << 2);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB(b, ldb, transB, pc, kc, jc, nc, pb);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(a, lda, transA, ic, mc, pc, kc, alpha, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const bp = pb + (<usize>jr * kc << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const cp = c + ((<usize>(ic + ir) * ldc + jc + jr) << 2);
            micro(kc, pa + (<usize>ir * kc << 4), bp, cp, ldc, rows, cols, tmp);
          }
        }
      }
    }
  }
}
