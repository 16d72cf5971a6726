// The library as Node loads it (package.json's "node" condition): everything in src/index.ts,
// with worker threads for the float32 matrix products (node/threads.ts).
import { setWarningHandler } from '../src/warnings.js';
import { threadsEnvProblem } from './threads.js';

setWarningHandler((message) => process.emitWarning(message, 'BackpropWarning'));
const problem = threadsEnvProblem();
if (problem) process.emitWarning(problem, 'BackpropWarning');

export * from '../src/index.js';
