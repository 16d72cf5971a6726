#!/usr/bin/env node
import { Command } from 'commander';
import { registerDemo } from './commands/demo.js';
import { registerTrace } from './commands/trace.js';
import { exitWithError } from './errors.js';

const program = new Command('backprop')
  .description('feedforward neural networks trained by backpropagation and gradient descent')
  .version('0.1.0')
  .showHelpAfterError();

registerTrace(program);
registerDemo(program);

program.parseAsync(process.argv).catch(exitWithError);
