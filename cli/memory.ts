import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { freemem, totalmem } from 'node:os';
import { BackpropError } from '../src/errors.js';
import { formatBytes, setMemoryLimit } from '../src/nn/limits.js';

/**
 * The command line's memory limit: half the machine's memory (or of the container's limit), or
 * --max-memory, which reaches the training worker thread through BACKPROP_MAX_MEMORY.
 */

const HOW_TO_RAISE = '--max-memory (such as --max-memory 32GB)';

/** Bytes from "16GB", "512 MB", "1.5g" or a plain number of bytes. */
export function parseSize(flag: string, raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(raw);
  const bytes = m ? Number(m[1]) * 1024 ** ' kmgt'.indexOf(m[2].toLowerCase() || ' ') : NaN;
  if (!(bytes >= 1)) throw new BackpropError('option', `${flag} must be a size such as 8GB, 512MB or a number of bytes, got '${raw}'`);
  return Math.floor(bytes);
}

/** Half the memory this process may use. */
function machineLimit(): number {
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  return Math.floor(Math.min(totalmem(), constrained || Infinity) / 2);
}

/** Sets the limit from --max-memory (given) or BACKPROP_MAX_MEMORY, else from the machine. */
export function applyMemoryLimit(given?: string): void {
  if (given !== undefined) process.env.BACKPROP_MAX_MEMORY = String(parseSize('--max-memory', given));
  const env = process.env.BACKPROP_MAX_MEMORY;
  setMemoryLimit(env ? parseSize('BACKPROP_MAX_MEMORY', env) : machineLimit(), HOW_TO_RAISE);
}


/**
 * The data's share of the memory budget. `train --max-memory SIZE` budgets the whole run: the
 * network (above) and the data. Without it, the budget is half the memory free now (of the
 * container's limit, when lower).
 */
export function dataBudget(given?: string): { bytes: number; from: string } {
  if (given !== undefined) return { bytes: parseSize('--max-memory', given), from: '--max-memory' };
  const env = process.env.BACKPROP_MAX_MEMORY;
  if (env) return { bytes: parseSize('BACKPROP_MAX_MEMORY', env), from: 'BACKPROP_MAX_MEMORY' };
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  const free = Math.min(freemem(), constrained && constrained < totalmem() ? constrained : Infinity);
  return { bytes: Math.floor(free / 2), from: 'half the free memory' };
}

/** Copies of the numbers the in-memory path holds at its peak: the store, and the scaled parts in the engine's memory (1M × 21 measured: 371 MB peak, 168 MB of numbers). */
export const IN_MEMORY_COPIES = 2;
/** What the process takes before any data: Node, the modules, the kernels. */
export const RUNTIME_BYTES = 96 * 2 ** 20;

/** What the in-memory path would need for a CSV file, from its size and its first rows. */
export interface DataEstimate {
  rows: number;
  columns: number;
  bytes: number;
}

/** Estimates rows and columns from the first 256 KB of a file (rows: its size over the mean line's length). */
export function estimateInMemory(path: string): DataEstimate {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(Math.min(size, 256 * 1024));
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const text = head.toString('utf8');
  const lines = text.split('\n');
  const complete = size > head.length ? lines.length - 1 : lines.filter((l) => l.trim() !== '').length;
  const first = lines[0] ?? '';
  const columns = 1 + Math.max(...[',', ';', '\t'].map((d) => first.split(d).length - 1));
  const rows = size > head.length && complete > 1 ? Math.ceil(((size - first.length - 1) / (head.length - first.length - 1)) * (complete - 1)) : Math.max(0, complete - 1);
  return { rows, columns, bytes: rows * columns * 8 * IN_MEMORY_COPIES + RUNTIME_BYTES };
}
