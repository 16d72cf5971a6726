import { BackpropError } from '../errors.js';

/**
 * The memory a network may take, checked before anything is allocated: a network too large for
 * the machine is refused with one line naming the layer, the bytes it needs and how to raise the
 * limit, instead of an allocation failure, a stack trace, or a process the system kills.
 */

/** Copies of the parameters training keeps: weights, gradients, two optimizer slots, and the engine's own four. */
export const TRAINING_COPIES = 8;

/** The default limit: 4 GiB (Node's entry and the command line set it from the machine's memory). */
export const DEFAULT_MAX_BYTES = 4 * 2 ** 30;

let maxBytes = DEFAULT_MAX_BYTES;
let howToRaise = 'setMemoryLimit(bytes)';

/**
 * Sets the most bytes a network's training may take (its parameters times TRAINING_COPIES);
 * `howToRaise` is what messages tell the user to do (the command line names its option).
 */
export function setMemoryLimit(bytes: number, howToRaise_ = howToRaise): void {
  if (!(bytes > 0) || !Number.isFinite(bytes)) throw new BackpropError('option', `the memory limit must be a number of bytes > 0, got ${bytes}`);
  maxBytes = bytes;
  howToRaise = howToRaise_;
}

/** The limit in force, in bytes. */
export function memoryLimit(): number {
  return maxBytes;
}

/** "1.5 GB", "512 MB": bytes for a message. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} bytes` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/**
 * Refuses a network whose training would take more than the limit, before its layers are
 * allocated: names the first layer that crosses it. Layers with invalid sizes are left to the
 * constructor's own checks.
 */
export function checkNetworkSize(inputs: number, layers: readonly { units?: unknown; bias?: boolean }[], bias: boolean, dtype: 'float64' | 'float32'): void {
  const bytesPerValue = dtype === 'float32' ? 4 : 8;
  let fanIn = inputs;
  let params = 0;
  for (const [i, spec] of layers.entries()) {
    const units = spec?.units;
    if (typeof units !== 'number' || !Number.isInteger(units) || units < 1) return;
    params += fanIn * units + ((spec.bias ?? bias) ? units : 0);
    const bytes = params * bytesPerValue * TRAINING_COPIES;
    if (bytes > maxBytes) {
      throw new BackpropError(
        'memory',
        `layer ${i + 1} (${units} units, ${fanIn} inputs) brings the network to ${params} parameters, which need ${formatBytes(bytes)} to train ` +
          `(${TRAINING_COPIES} ${dtype} copies), over the memory limit of ${formatBytes(maxBytes)}: use fewer units, or raise the limit with ${howToRaise}`,
      );
    }
    fanIn = units;
  }
}

/** Whether `e` is an engine's failure to allocate memory (a typed array, an ArrayBuffer, a WebAssembly memory). */
export function isAllocationFailure(e: unknown): e is Error {
  return e instanceof RangeError && /allocation failed|could not allocate|out of memory|Invalid (typed )?array length|Array buffer allocation/i.test(e.message);
}
