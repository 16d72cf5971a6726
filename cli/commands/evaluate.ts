import type { Command } from 'commander';
import type { RowSelection } from '../../src/io/model.js';
import { loadForSchema, loadModel } from '../files.js';
import * as opt from '../options.js';
import { evaluationJSON, formatEvaluation } from '../report.js';

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('loss, accuracy, per-class precision and recall, and the confusion matrix of a saved model on data')
    .argument('<model>', 'a model file saved by train --out')
    .argument('<data>', 'a CSV file with the target column, or a bundled data set: xor, iris, digits')
    .option('--split <part>', "which rows: all, or the 'train' or 'test' part of the split the model was trained with (needs the training file)", 'all')
    .option('--delimiter <c>', 'field delimiter (default: detected)')
    .option('--json', 'print one JSON object with the results')
    .action(async (modelPath: string, data: string, flags: { split: string; delimiter?: string; json?: boolean }) => {
      const split = opt.choice('--split', flags.split, ['all', 'train', 'test'] as const) as RowSelection;
      const delimiter = flags.delimiter === undefined ? undefined : opt.delimiter('--delimiter', flags.delimiter);
      const model = loadModel(modelPath);
      // read in chunks straight into typed arrays (no whole-file string)
      const table = await loadForSchema(data, model.schema, { requireTarget: true, delimiter, lines: true }); // line numbers (4 bytes a row) to name a row whose output is not finite
      const e = model.evaluateData(model.prepareData(table), table, split);
      if (flags.json) {
        process.stdout.write(JSON.stringify({ model: modelPath, data: table.source, split, ...evaluationJSON(e) }) + '\n');
        return;
      }
      const which = split === 'all' ? 'all' : split === 'train' ? 'training' : 'test';
      process.stdout.write(`${modelPath} on ${which} rows of ${table.source} (loss ${e.lossName})\n\n${formatEvaluation(which, e)}\n`);
    });
}
