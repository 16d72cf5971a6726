import { BackpropError } from '../src/errors.js';
import { isAllocationFailure } from '../src/nn/limits.js';

/** Prints an error as one clear line (no stack trace for the user's mistakes) and exits non-zero. */
export function exitWithError(err: unknown): never {
  if (err instanceof BackpropError) {
    process.stderr.write(`backprop: ${err.message}\n`);
    process.exit(1);
  }
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && typeof e.message === 'string' && e.code.startsWith('E')) {
    process.stderr.write(`backprop: ${e.message}\n`);
    process.exit(1);
  }
  if (isAllocationFailure(err)) {
    process.stderr.write(`backprop: out of memory (${err.message}): use a smaller network (--layers), batch (--batch) or data\n`);
    process.exit(1);
  }
  process.stderr.write(`backprop: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(2);
}

/** A warning: one line on stderr; the command goes on. */
export function warn(message: string): void {
  process.stderr.write(`backprop: warning: ${message}\n`);
}
