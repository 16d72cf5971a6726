// The worker thread of `backprop train` with checkpoints (see cli/train-runner.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { runJob } from './train-job.js';
import type { WorkerInput, WorkerMessage } from './train-runner.js';
import '../node/threads.js'; // float32 products on both cores, from this thread too
import { setWarningHandler } from '../src/warnings.js';
import { warn } from './errors.js';
import { applyMemoryLimit } from './memory.js';

setWarningHandler(warn);
applyMemoryLimit(); // the main thread's, through BACKPROP_MAX_MEMORY when --max-memory is given

runJob(workerData as WorkerInput, (m: WorkerMessage) => parentPort!.postMessage(m));
