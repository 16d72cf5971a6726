import type { Command } from 'commander';
import { IRIS3, slidesIrisNetwork } from '../../src/data/examples.js';
import { takeRows } from '../../src/data/preprocess.js';
import { BackpropError } from '../../src/errors.js';
import { Network } from '../../src/nn/network.js';
import { formatTrace, trace, traceToJSON, type Trace } from '../../src/trace/trace.js';
import { loadModel, loadTable } from '../files.js';
import * as opt from '../options.js';

const EXAMPLES = ['iris3'];

interface TraceFlags {
  example?: string;
  loss?: string;
  digits: string;
  json?: boolean;
  rows: string;
  delimiter?: string;
  l1?: string;
  l2?: string;
}

export function registerTrace(program: Command): void {
  program
    .command('trace')
    .description(
      "print every named matrix of one forward and backward pass (the slides' H_in … W1_update): " +
        'of a worked example (--example iris3), or of a saved model on the first rows of a CSV file',
    )
    .argument('[model]', 'a model file saved by train --out')
    .argument('[data]', 'a CSV file with the target column, or a bundled data set: xor, iris, digits')
    .option('--example <name>', `a worked example from the slides: ${EXAMPLES.join(', ')}`)
    .option('--rows <n>', 'with a model: how many rows of the data, from the first', '3')
    .option('--loss <name>', "loss convention (default: the model's; for --example, half-mean-over-samples, the slides' 1/(2N)·ΣΣ)")
    .option('--l1 <x>', "L1 regularisation: W_update shows the step's l1·sign(W) too, the loss l1·Σ|W| (default: the model's; for --example, 0)")
    .option('--l2 <x>', "L2 regularisation: W_update shows the step's l2·W too, the loss l2/2·ΣW² (default: the model's; for --example, 0)")
    .option('--digits <n>', 'decimals when printing matrices', '3')
    .option('--delimiter <c>', 'field delimiter of the data (default: detected)')
    .option('--json', 'print one JSON object whose keys are the matrix names')
    .action((modelPath: string | undefined, data: string | undefined, opts: TraceFlags) => {
      const digits = Number(opts.digits);
      if (!Number.isInteger(digits) || digits < 0 || digits > 17) {
        throw new BackpropError('option', `--digits must be a whole number from 0 to 17, got '${opts.digits}'`);
      }
      const l1 = opts.l1 === undefined ? undefined : opt.nonNegative('--l1', opts.l1);
      const l2 = opts.l2 === undefined ? undefined : opt.nonNegative('--l2', opts.l2);
      let t: Trace;
      let heading = '';
      if (opts.example !== undefined || modelPath === undefined) {
        if (modelPath !== undefined) {
          throw new BackpropError('option', 'trace takes either --example or a model file and data, not both');
        }
        if (!opts.example) {
          throw new BackpropError(
            'option',
            `trace needs --example (one of ${EXAMPLES.join(', ')}), or a model file and data: backprop trace model.json data.csv`,
          );
        }
        if (!EXAMPLES.includes(opts.example)) {
          throw new BackpropError('option', `unknown example '${opts.example}' for --example: expected one of ${EXAMPLES.join(', ')}`);
        }
        const net = slidesIrisNetwork(IRIS3, opts.loss);
        t = trace(net, IRIS3.X, IRIS3.Y, { l1, l2 });
      } else {
        if (data === undefined) throw new BackpropError('option', `trace ${modelPath} needs data too: backprop trace ${modelPath} data.csv`);
        const rows = opt.wholeNumber('--rows', opts.rows, 1);
        const delimiter = opts.delimiter === undefined ? undefined : opt.delimiter('--delimiter', opts.delimiter);
        const model = loadModel(modelPath);
        const table = loadTable(data, delimiter);
        const p = model.prepare(table, true);
        const idx = Array.from({ length: Math.min(rows, p.X.rows) }, (_, i) => i);
        let net = model.network;
        if (opts.loss !== undefined) net = Network.fromJSON({ ...net.toJSON(), loss: opt.lossName('--loss', opts.loss) });
        // the penalty the model trained with, unless the command line says otherwise
        const penalty = { l1: l1 ?? model.file.training.l1, l2: l2 ?? model.file.training.l2 };
        t = trace(net, takeRows(p.X, idx), takeRows(p.Y!, idx), penalty);
        const lines = idx.map((i) => table.lines[i]);
        const scaled = model.file.preprocessing.features.kind === 'none' ? 'as in the file' : `scaled (${model.file.preprocessing.features.kind}) as in training`;
        heading =
          `${modelPath} on ${idx.length === 1 ? 'row' : 'rows'} ${lines.join(', ')} of ${table.source} ` +
          `(X: the features ${scaled}; Y: the targets ${model.file.data.kind === 'classification' ? `one-hot over ${model.file.data.classes!.join(', ')}` : 'scaled as in training'})\n\n`;
      }
      if (opts.json) process.stdout.write(JSON.stringify(traceToJSON(t)) + '\n');
      else process.stdout.write(heading + formatTrace(t, digits) + '\n');
    });
}
