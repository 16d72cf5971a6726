import { CONFIG_BYTES, DESCRIPTOR_BYTES, SLOT_COUNTS } from './layout64.js';
import type { EngineInput } from './engine.js';

/**
 * Where the WebAssembly engine (wasm64.ts) puts a training input in the kernel's memory: a pure
 * function of the input's shapes (rows, columns, batch size, shuffle, optimizer) and of whether
 * its data are streamed.
 */

/**
 * Past this many bytes of X and Y, the data stay where they are, outside the kernel's memory: the
 * engine copies each batch's rows into the kernel's batch buffers (one step per call) instead of
 * copying the whole data set in (many epochs per call). Changeable for the tests.
 */
export const STREAM = { aboveBytes: 16 * 2 ** 20 };
/** Epochs per call at most. */
const KERNEL_CHUNK = 4096;
/** Bytes of row orders (shuffled mini-batches: one per epoch) and of Adam's per-step constants per call at most. */
const PER_CALL_BYTES = 4 * 2 ** 20;

/** Addresses of the arrays in the kernel's memory. */
export interface Addresses {
  x: number; y: number; w: number; g: number; s0: number; s1: number; bx: number; by: number;
  sched: number; corr: number; losses: number; accuracy: number; orders: number;
  layers: number[][];
}

/** An input's layout in the kernel's memory: what the shapes of its data, batches and optimizer decide. */
export interface Layout {
  /** Inputs of equal signatures have equal layouts. */
  signature: string;
  /** Whether the data stay outside the kernel's memory (see STREAM). */
  streamed: boolean;
  /** The optimizer's state arrays per parameter. */
  slots: number;
  rows: number;
  batches: number;
  /** Epochs one call of epochs() takes at most. */
  maxEpochs: number;
  at: Addresses;
  /** The first byte above it. */
  top: number;
}

/** What fixes an engine's layout besides its network: the shapes of the data, the batches and the optimizer. */
export function signatureOf({ opt, X, Y, batchSize, shuffled }: EngineInput): string {
  return `${X.rows},${X.cols},${Y.cols},${Math.min(batchSize, X.rows)},${shuffled},${opt.spec.name}`;
}

/** Whether the input's data stay outside the kernel's memory (see STREAM). */
export function isStreamed({ X, Y }: EngineInput): boolean {
  return (X.data.length + Y.data.length) * 8 > STREAM.aboveBytes;
}

/**
 * Where each array of the input goes, from `base` up: cfg | descriptors | W | G | S0 | S1 | per
 * layer z, a, error, delta | X | Y | batch X, Y | rates | Adam's constants | losses | accuracy |
 * orders.
 */
export function layoutOf(input: EngineInput, base: number, streamed: boolean): Layout {
  const { net, opt, X, Y, shuffled } = input;
  const n = X.rows;
  const bs = Math.min(input.batchSize, n);
  const slots = SLOT_COUNTS[opt.spec.name];
  const adam = opt.spec.name === 'adam';
  const batches = Math.ceil(n / bs);
  const perEpoch = (shuffled ? 4 * n : 0) + (adam ? 16 * batches : 0);
  const maxEpochs = Math.max(1, Math.min(KERNEL_CHUNK, Math.floor(PER_CALL_BYTES / Math.max(1, perEpoch))));
  const P = net.params().reduce((s, p) => s + p.value.length, 0);
  let top = base + CONFIG_BYTES + net.layers.length * DESCRIPTOR_BYTES;
  const take = (bytes: number) => {
    const p = top;
    top += (bytes + 15) & ~15;
    return p;
  };
  const w = take(P * 8);
  const g = take(P * 8);
  const s0 = take(slots >= 1 ? P * 8 : 0);
  const s1 = take(slots >= 2 ? P * 8 : 0);
  const layers = net.layers.map((l) => [0, 1, 2, 3].map(() => take(bs * l.units * 8)));
  const inside = !streamed;
  const x = take(inside ? X.data.length * 8 : 0);
  const y = take(inside ? Y.data.length * 8 : 0);
  const bx = take(shuffled || !inside ? bs * X.cols * 8 : 0);
  const by = take(shuffled || !inside ? bs * Y.cols * 8 : 0);
  const sched = take(maxEpochs * 8);
  const corr = take(adam ? maxEpochs * batches * 16 : 0);
  const losses = take(maxEpochs * 8);
  const accuracy = take(maxEpochs * 8);
  const orders = take(shuffled && inside ? maxEpochs * n * 4 : 0);
  const at = { x, y, w, g, s0, s1, bx, by, sched, corr: adam ? corr : 0, losses, accuracy, orders: shuffled && inside ? orders : 0, layers };
  return { signature: signatureOf(input), streamed, slots, rows: n, batches, maxEpochs, at, top };
}
