import type { Command } from 'commander';
import type { Predictions } from '../../src/io/model.js';
import { AtomicFile, checkDistinctOutputs, checkWritable, dataFile, dataPath, loadModel, streamRows } from '../files.js';
import { RowChunks } from '../row-chunks.js';
import * as opt from '../options.js';

/** A CSV field, quoted when it holds a comma, a quote, a line break or outer spaces. */
export function csvField(s: string): string {
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The predictions as CSV: the row of the input file, the predicted class (or value), and each class's output. */
export function predictionsCsv(p: Predictions, target: string, lines: ArrayLike<number>, softmax: boolean, digits: number): string {
  const head = ['row', `predicted_${target}`];
  if (p.classes) head.push(...p.classes.map((c) => `${softmax ? 'p' : 'out'}_${c}`));
  const rows = p.predicted.map((v, i) => {
    const cells = [String(lines[i]), typeof v === 'number' ? String(Number(v.toPrecision(10))) : v];
    if (p.outputs) cells.push(...p.outputs[i].map((x) => x.toFixed(digits)));
    return cells.map(csvField).join(',');
  });
  return [head.map(csvField).join(','), ...rows].join('\n') + '\n';
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('predict with a saved model: one CSV row per input row, with the predicted class (or value) and the class probabilities')
    .argument('<model>', 'a model file saved by train --out')
    .argument('<data>', "a CSV file with the model's feature columns (the target column may be there; it is ignored), or a bundled data set")
    .option('--out <preds.csv>', 'write the predictions to this file (atomically) instead of stdout')
    .option('--digits <n>', 'decimals of the probabilities', '6')
    .option('--delimiter <c>', 'field delimiter of the input (default: detected)')
    .action(async (modelPath: string, data: string, flags: { out?: string; digits: string; delimiter?: string }) => {
      const digits = opt.wholeNumber('--digits', flags.digits, 0, 17);
      const delimiter = flags.delimiter === undefined ? undefined : opt.delimiter('--delimiter', flags.delimiter);
      if (flags.out) checkWritable(flags.out, '--out');
      checkDistinctOutputs([{ role: 'the model file', path: modelPath }, { role: 'the data file', path: dataFile(data) }], [{ role: '--out', path: flags.out }]);
      const model = loadModel(modelPath);
      const softmax = model.network.layers[model.network.layers.length - 1].activation.name === 'softmax';
      // rows are read, predicted and written a chunk at a time: memory stays that of a chunk, whatever the file's size
      const file = flags.out ? new AtomicFile(flags.out) : undefined;
      const write = (text: string) => (file ? file.write(text) : process.stdout.write(text));
      const { source } = dataPath(data);
      let count = 0;
      try {
        const chunks = new RowChunks(source, model.schema, false, (chunk) => {
          const p = model.predictPrepared(model.prepareData(chunk).X, { source, lines: chunk.lines });
          const csv = predictionsCsv(p, model.file.data.target, chunk.lines, softmax, digits);
          write(count === 0 ? csv : csv.slice(csv.indexOf('\n') + 1));
          count += chunk.X.rows;
        });
        await streamRows(data, chunks, delimiter);
      } catch (err) {
        file?.abort();
        throw err;
      }
      if (file) {
        file.commit();
        process.stderr.write(`saved ${count} predictions to ${flags.out}\n`);
      }
    });
}
