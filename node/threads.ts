// Node's workers for the float32 matrix products (src/tensor/threads.ts): importing this module
// lets products large enough to pay for it run on two cores. The entry `backprop` imports it in
// Node (package.json's "node" condition), so a Node user gets threads without asking; the
// command line imports it too. BACKPROP_THREADS=1 (or setThreads(1)) keeps to one thread,
// BACKPROP_THREADS=N asks for N. src/ never imports node:worker_threads: the browser bundle stays
// free of it.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { BackpropError } from '../src/errors.js';
import { formatBytes } from '../src/nn/limits.js';
import { setThreads, setWorkerFactory, type WorkerFactory } from '../src/tensor/threads.js';
import { warnOnce } from '../src/warnings.js';

/** Below this much address space (ulimit -v), starting a helper thread can abort V8: none is started. */
const HELPER_MIN_ADDRESS_SPACE = 24 * 2 ** 30;

/** The address space this process may use, in bytes (Infinity where the system sets no limit or does not say). */
function addressSpace(): number {
  try {
    const m = /^Max address space\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : Infinity;
  } catch {
    return Infinity;
  }
}

/**
 * Starts a worker thread running the helper script. It is unref'd (a process whose work is done
 * exits, helpers or not), and its errors are swallowed: a helper that fails to start never
 * reports ready, so its share of every product runs on the calling thread.
 */
export const nodeWorkerFactory: WorkerFactory = (source) => {
  if (addressSpace() < HELPER_MIN_ADDRESS_SPACE) {
    // a worker reserves address space for its own engine: under a low cap V8 aborts the process
    warnOnce(`the address space is capped at ${formatBytes(addressSpace())} (ulimit -v), too little for helper threads: the float32 products run on one thread`);
    throw new Error('address space capped');
  }
  // the helper is plain JavaScript: none of this process's flags (--import tsx, --input-type) apply
  const glue = `\nimport('node:worker_threads').then(({ parentPort }) => parentPort.once('message', backpropHelper));\n`;
  const w = new Worker(source + glue, { eval: true, execArgv: [], name: 'backprop-gemm' });
  w.unref();
  w.on('error', () => {});
  return {
    postMessage: (message) => w.postMessage(message),
    terminate: () => void w.terminate(),
  };
};

setWorkerFactory(nodeWorkerFactory, availableParallelism());

/**
 * BACKPROP_THREADS as a setting, or the one-line problem with it. Read at import, where an error
 * could only be an uncaught stack trace: a bad value is ignored here (threads stay 'auto'), and
 * reported by checkThreadsEnv (the command line) or as a process warning (the library's entry).
 */
function threadsFromEnv(env: string | undefined): { threads?: number | 'auto'; problem?: string } {
  if (env === undefined || env.trim() === '') return {};
  const n = env.trim() === 'auto' ? 'auto' : Number(env);
  if (n === 'auto' || (Number.isInteger(n) && n >= 1 && n <= 64)) return { threads: n };
  return { problem: `BACKPROP_THREADS must be 'auto' or a whole number from 1 to 64, got '${env}': set it so, or unset it` };
}

const fromEnv = threadsFromEnv(process.env.BACKPROP_THREADS);
if (fromEnv.threads !== undefined) setThreads(fromEnv.threads);

/** The problem with BACKPROP_THREADS, if any, as a BackpropError (the variable is then ignored). */
export function checkThreadsEnv(): void {
  if (fromEnv.problem) throw new BackpropError('option', fromEnv.problem);
}

/** The problem with BACKPROP_THREADS, if any, as a message. */
export function threadsEnvProblem(): string | undefined {
  return fromEnv.problem;
}
