import { KERNELS_WASM } from './kernels-wasm.js';

/** The WebAssembly SIMD kernels (assembly/gemm.ts), float32, working on copies in their own memory. */
export interface WasmKernels {
  /** C = alpha · op(A) · op(B) + beta · C; lda, ldb are the stored column counts of A and B. */
  gemm(
    m: number, n: number, k: number,
    a: Float32Array, lda: number, transA: boolean,
    b: Float32Array, ldb: number, transB: boolean,
    c: Float32Array, alpha: number, beta: number,
  ): void;
}

interface Exports {
  memory: WebAssembly.Memory;
  scratchBytes(): number;
  gemm(m: number, n: number, k: number, a: number, lda: number, ta: number, b: number, ldb: number, tb: number, c: number, ldc: number, alpha: number, beta: number, scratch: number): void;
}

let kernels: WasmKernels | null | undefined;
let disabled = false;

/** Turns the WebAssembly kernels off (true) or back on, e.g. to compare backends. */
export function disableWasm(off = true): void {
  disabled = off;
}

/** The kernels, or null where WebAssembly SIMD is unavailable (then the JavaScript loops run). */
export function wasmKernels(): WasmKernels | null {
  if (disabled) return null;
  if (kernels === undefined) kernels = load();
  return kernels;
}

function load(): WasmKernels | null {
  try {
    const bytes = Uint8Array.from(atob(KERNELS_WASM), (ch) => ch.charCodeAt(0));
    const module = new WebAssembly.Module(bytes);
    const instance = new WebAssembly.Instance(module, { env: { abort: () => { throw new Error('wasm abort'); } } });
    return wrap(instance.exports as unknown as Exports);
  } catch {
    return null; // no WebAssembly, or no SIMD: the JavaScript kernels are used
  }
}

function wrap(x: Exports): WasmKernels {
  const scratch = x.scratchBytes();
  let heap = new Float32Array(x.memory.buffer);
  const ensure = (bytes: number) => {
    const have = x.memory.buffer.byteLength;
    if (bytes > have) x.memory.grow(Math.ceil((bytes - have) / 65536));
    if (heap.buffer !== x.memory.buffer) heap = new Float32Array(x.memory.buffer);
  };
  return {
    gemm(m, n, k, a, lda, transA, b, ldb, transB, c, alpha, beta) {
      // layout: A | B | C | scratch, each 16-byte aligned
      const align = (v: number) => (v + 3) & ~3;
      const pa = 0;
      const pb = pa + align(a.length);
      const pc = pb + align(b.length);
      const ps = pc + align(c.length);
      ensure(ps * 4 + scratch);
      heap.set(a, pa);
      heap.set(b, pb);
      if (beta !== 0) heap.set(c, pc);
      x.gemm(m, n, k, pa * 4, lda, transA ? 1 : 0, pb * 4, ldb, transB ? 1 : 0, pc * 4, n, alpha, beta, ps * 4);
      c.set(heap.subarray(pc, pc + c.length));
    },
  };
}
