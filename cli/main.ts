#!/usr/bin/env node
import { Command } from 'commander';
import { registerDemo } from './commands/demo.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerExport } from './commands/export.js';
import { registerImport } from './commands/import.js';
import { registerInfo } from './commands/info.js';
import { registerPredict } from './commands/predict.js';
import { registerTrace } from './commands/trace.js';
import { registerTrain } from './commands/train.js';
import { exitWithError, warn } from './errors.js';
import { applyMemoryLimit } from './memory.js';
import { setWarningHandler } from '../src/warnings.js';
import { checkThreadsEnv } from '../node/threads.js'; // float32 products on both cores

setWarningHandler(warn);

// Output cut short by the reader (e.g. `| head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command('backprop')
  .description('feedforward neural networks trained by backpropagation and gradient descent')
  .version('0.1.0');

registerTrain(program);
registerEvaluate(program);
registerPredict(program);
registerInfo(program);
registerExport(program);
registerImport(program);
registerTrace(program);
registerDemo(program);

// A mistake on the command line is one line, with where to read more (not the whole help).
for (const command of [program, ...program.commands]) {
  const help = command === program ? 'backprop --help' : `backprop ${command.name()} --help`;
  command.configureOutput({ outputError: (text, write) => write(`backprop: ${text.trim().replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')} (see ${help})\n`) });
}

Promise.resolve()
  .then(checkThreadsEnv)
  .then(() => applyMemoryLimit())
  .then(() => program.parseAsync(process.argv))
  .catch(exitWithError);
