import type { Dense, LayerBuffers } from './dense.js';
import { difference, type Loss } from './losses.js';
import { exp, tanh } from './math.js';

/**
 * The small-network path. For a network small enough to unroll, one generated JavaScript
 * function runs the whole training pass of a batch — for each row, every layer's forward pass,
 * O_error, the deltas, the errors handed back, and the weight and bias gradients summed over
 * rows — with the sizes as constants and nothing called per element. It performs exactly the
 * operations of Dense.forward/delta/gradients/backError in the same order, so it fills the same
 * buffers with the same bits (test/compile.test.ts checks this); it only removes the per-call
 * overhead that dominates networks like 2-2-1 XOR.
 */
export type CompiledPass = (x: Float64Array, y: Float64Array, rows: number, scale: number, buffers: Float64Array[]) => void;

/** Networks with more weights than this use the matrix kernels (their per-call overhead is small). */
export const COMPILE_MAX_WEIGHTS = 1024;

/** The compiled pass for these layers and loss, or undefined when they are too big or code generation is unavailable. */
export function compilePass(layers: readonly Dense[], loss: Loss): CompiledPass | undefined {
  const weights = layers.reduce((s, l) => s + l.inputs * l.units, 0);
  if (weights > COMPILE_MAX_WEIGHTS || loss.error !== difference) return undefined;
  if (layers.some((l) => l.activation.name !== 'softmax' && !l.activation.source)) return undefined;
  const code = generate(layers, loss);
  try {
    const factory = new Function('exp', 'tanh', ...layers.flatMap((_, l) => [`W${l}`, `b${l}`, `dW${l}`, `db${l}`]), code) as (
      e: typeof exp,
      t: typeof tanh,
      ...a: Float64Array[]
    ) => CompiledPass;
    return factory(exp, tanh, ...layers.flatMap((l) => [l.W.data, l.b, l.dW.data, l.db] as Float64Array[]));
  } catch {
    return undefined; // e.g. a page whose content security policy forbids code generation
  }
}

/** The buffers of a workspace in the order the compiled pass reads them. */
export function passBuffers(ws: readonly LayerBuffers[]): Float64Array[] {
  return ws.flatMap((b) => [b.z.data, b.a.data, b.error.data, b.delta.data] as Float64Array[]);
}

function generate(layers: readonly Dense[], loss: Loss): string {
  const L = layers.length;
  const out: string[] = [];
  const emit = (s: string) => out.push(s);
  emit('"use strict";');
  emit('return function pass(X, Y, n, scale, B) {');
  layers.forEach((_, l) => emit(`const z${l} = B[${4 * l}], a${l} = B[${4 * l + 1}], e${l} = B[${4 * l + 2}], d${l} = B[${4 * l + 3}];`));
  // gradient accumulators, summed over rows in row order as the matrix kernels do
  layers.forEach((layer, l) => {
    const names: string[] = [];
    for (let i = 0; i < layer.inputs; i++) for (let j = 0; j < layer.units; j++) names.push(`g${l}_${i}_${j} = 0`);
    if (layer.useBias) for (let j = 0; j < layer.units; j++) names.push(`c${l}_${j} = 0`);
    emit(`let ${names.join(', ')};`);
  });
  emit('for (let r = 0; r < n; r++) {');
  const I0 = layers[0].inputs;
  for (let i = 0; i < I0; i++) emit(`const x_${i} = X[r * ${I0} + ${i}];`);
  const inName = (l: number, i: number) => (l === 0 ? `x_${i}` : `a${l - 1}_${i}`);

  // forward: z = in·W (+ b), a = f(z)
  layers.forEach((layer, l) => {
    const U = layer.units;
    emit(`const o${l} = r * ${U};`);
    for (let j = 0; j < U; j++) {
      const terms = Array.from({ length: layer.inputs }, (_, i) => `s += ${inName(l, i)} * W${l}[${i * U + j}];`);
      emit(`let z${l}_${j}; { let s = 0; ${terms.join(' ')}${layer.useBias ? ` s += b${l}[${j}];` : ''} z${l}_${j} = s; }`);
      emit(`z${l}[o${l} + ${j}] = z${l}_${j};`);
    }
    if (layer.activation.name === 'softmax') {
      emit(`let m${l} = -Infinity;`);
      for (let j = 0; j < U; j++) emit(`if (z${l}_${j} > m${l}) m${l} = z${l}_${j};`);
      emit(`let t${l} = 0;`);
      for (let j = 0; j < U; j++) emit(`const v${l}_${j} = exp(z${l}_${j} - m${l}); t${l} += v${l}_${j};`);
      for (let j = 0; j < U; j++) emit(`const a${l}_${j} = v${l}_${j} / t${l}; a${l}[o${l} + ${j}] = a${l}_${j};`);
    } else {
      const f = layer.activation.source!.forward;
      for (let j = 0; j < U; j++) emit(`const a${l}_${j} = ${f(`z${l}_${j}`)}; a${l}[o${l} + ${j}] = a${l}_${j};`);
    }
  });

  // backward, from the output down
  const K = layers[L - 1].units;
  for (let j = 0; j < K; j++) emit(`const e${L - 1}_${j} = a${L - 1}_${j} - Y[r * ${K} + ${j}]; e${L - 1}[o${L - 1} + ${j}] = e${L - 1}_${j};`);
  for (let l = L - 1; l >= 0; l--) {
    const layer = layers[l];
    const U = layer.units;
    const fused = l === L - 1 && loss.fusedWith === layer.activation.name;
    if (fused) {
      for (let j = 0; j < U; j++) emit(`const d${l}_${j} = e${l}_${j};`);
    } else if (layer.activation.name === 'softmax') {
      emit(`let p${l} = 0;`);
      for (let j = 0; j < U; j++) emit(`p${l} += e${l}_${j} * a${l}_${j};`);
      for (let j = 0; j < U; j++) emit(`const d${l}_${j} = a${l}_${j} * (e${l}_${j} - p${l});`);
    } else {
      const d = layer.activation.source!.delta;
      for (let j = 0; j < U; j++) emit(`const d${l}_${j} = ${d(`e${l}_${j}`, `z${l}_${j}`, `a${l}_${j}`)};`);
    }
    for (let j = 0; j < U; j++) emit(`d${l}[o${l} + ${j}] = d${l}_${j};`);
    // W_update += (scale · in_i) · delta_j;  b_update += scale · delta_j
    for (let i = 0; i < layer.inputs; i++) {
      emit(`{ const q = scale * ${inName(l, i)}; ${Array.from({ length: U }, (_, j) => `g${l}_${i}_${j} += q * d${l}_${j};`).join(' ')} }`);
    }
    if (layer.useBias) for (let j = 0; j < U; j++) emit(`c${l}_${j} += scale * d${l}_${j};`);
    // the error handed down: prevError_i = Σ_j delta_j · W[i][j]
    if (l > 0) {
      const P = layers[l - 1].units;
      for (let i = 0; i < P; i++) {
        const terms = Array.from({ length: U }, (_, j) => `s += d${l}_${j} * W${l}[${i * U + j}];`);
        emit(`let e${l - 1}_${i}; { let s = 0; ${terms.join(' ')} e${l - 1}_${i} = s; }`);
        emit(`e${l - 1}[o${l - 1} + ${i}] = e${l - 1}_${i};`);
      }
    }
  }
  emit('}');
  layers.forEach((layer, l) => {
    for (let i = 0; i < layer.inputs; i++) for (let j = 0; j < layer.units; j++) emit(`dW${l}[${i * layer.units + j}] = g${l}_${i}_${j};`);
    if (layer.useBias) for (let j = 0; j < layer.units; j++) emit(`db${l}[${j}] = c${l}_${j};`);
  });
  emit('};');
  return out.join('\n');
}
