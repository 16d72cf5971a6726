import { KERNEL64_WASM } from './kernel-wasm.js';

/**
 * The float64 kernel's WebAssembly module (assembly/float64.ts, built into kernel-wasm.ts):
 * compiled once, in the background as soon as the library loads, and shared by the training
 * engine (wasm64.ts) and the forward pass of predictions and evaluation (forward.ts).
 */

export interface KernelModule {
  module: WebAssembly.Module;
  /** The first byte above the module's own constant tables. */
  base: number;
  /** The kernel's own exp, log, log1p and tanh (for the tests). */
  math: KernelMath;
}

/** The elementary functions as the kernel computes them. */
export interface KernelMath {
  exp(x: number): number;
  log(x: number): number;
  log1p(x: number): number;
  tanh(x: number): number;
}
let compiled: KernelModule | null | undefined;

export const abort = () => {
  throw new Error('float64 training kernel: abort');
};

function kernelBytes(): Uint8Array {
  const text = atob(KERNEL64_WASM);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function ready(module: WebAssembly.Module): KernelModule {
  const probe = new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 1 }), abort } });
  const probed = probe.exports as unknown as KernelMath & { heapBase(): number };
  return { module, base: probed.heapBase(), math: { exp: probed.exp, log: probed.log, log1p: probed.log1p, tanh: probed.tanh } };
}

// The module compiles in the background as soon as the library loads; a fit that comes first
// compiles it there and then.
if (typeof WebAssembly === 'object' && typeof WebAssembly.compile === 'function') {
  try {
    WebAssembly.compile(kernelBytes() as BufferSource).then(
      (module) => {
        try {
          compiled ??= ready(module);
        } catch {
          compiled ??= null;
        }
      },
      () => void (compiled ??= null),
    );
  } catch {
    compiled = null;
  }
}

export function kernelModule(): KernelModule | null {
  if (compiled === undefined) {
    try {
      compiled = ready(new WebAssembly.Module(kernelBytes() as BufferSource));
    } catch {
      compiled = null; // no WebAssembly or no SIMD: fit uses the other paths
    }
  }
  return compiled;
}

/** The kernel's exp, log, log1p and tanh (for the tests), or null where WebAssembly SIMD is unavailable. */
export function kernelMath(): KernelMath | null {
  return kernelModule()?.math ?? null;
}
