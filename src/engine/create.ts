import { BackpropError } from '../errors.js';
import type { Engine, EngineInput, EngineName } from './engine.js';
import { ReferenceEngine } from './reference.js';
import { WasmEngine } from './wasm64.js';

/**
 * The engine asked for: 'auto' takes the WebAssembly engine wherever it runs this network (float64
 * weights, the built-in optimizers, WebAssembly SIMD present, the memory under its limit) and the
 * reference engine otherwise; 'reference' always the reference; 'wasm' the WebAssembly engine or
 * an error saying why not.
 */
export function createEngine(input: EngineInput, name: EngineName = 'auto'): Engine {
  if (name !== 'reference') {
    const wasm = WasmEngine.create(input);
    if (wasm) return wasm;
    if (name === 'wasm') {
      throw new BackpropError(
        'option',
        "engine 'wasm' cannot run this training: it needs float64 weights, a built-in optimizer, WebAssembly SIMD and a layout under 256 MiB; use engine 'auto' or 'reference'",
      );
    }
  }
  return new ReferenceEngine(input);
}

/** The engine names an option accepts. */
export const ENGINE_NAMES = ['auto', 'reference', 'wasm'] as const;
