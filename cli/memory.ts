import { totalmem } from 'node:os';
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

