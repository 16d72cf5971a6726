// The worker thread of `backprop train` with checkpoints (see cli/train-runner.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { runJob } from './train-job.js';
import type { WorkerInput, WorkerMessage } from './train-runner.js';
import '../node/threads.js'; // float32 products on both cores, from this thread too
import { setThreadWarning } from '../src/tensor/threads.js';
import { warn } from './errors.js';

setThreadWarning(warn);

runJob(workerData as WorkerInput, (m: WorkerMessage) => parentPort!.postMessage(m));
