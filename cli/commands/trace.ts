import type { Command } from 'commander';
import { IRIS3 } from '../../src/data/examples.js';
import { BackpropError } from '../../src/errors.js';
import { slidesIrisNetwork } from '../../src/nn/network.js';
import { formatTrace, trace, traceToJSON } from '../../src/trace/trace.js';

const EXAMPLES = ['iris3'];

export function registerTrace(program: Command): void {
  program
    .command('trace')
    .description("print every named matrix of one forward and backward pass (the slides' H_in … W1_update)")
    .option('--example <name>', `a worked example from the slides: ${EXAMPLES.join(', ')}`)
    .option('--loss <name>', 'loss convention (default half-mean-over-samples, the slides\' 1/(2N)·ΣΣ)')
    .option('--digits <n>', 'decimals when printing matrices', '3')
    .option('--json', 'print one JSON object whose keys are the matrix names')
    .action((opts: { example?: string; loss?: string; digits: string; json?: boolean }) => {
      if (!opts.example) {
        throw new BackpropError('option', `trace needs --example (one of ${EXAMPLES.join(', ')})`);
      }
      if (!EXAMPLES.includes(opts.example)) {
        throw new BackpropError('option', `unknown example '${opts.example}' for --example: expected one of ${EXAMPLES.join(', ')}`);
      }
      const digits = Number(opts.digits);
      if (!Number.isInteger(digits) || digits < 0 || digits > 17) {
        throw new BackpropError('option', `--digits must be a whole number from 0 to 17, got '${opts.digits}'`);
      }
      const net = slidesIrisNetwork(IRIS3, opts.loss);
      const t = trace(net, IRIS3.X, IRIS3.Y);
      if (opts.json) process.stdout.write(JSON.stringify(traceToJSON(t)) + '\n');
      else process.stdout.write(formatTrace(t, digits) + '\n');
    });
}
