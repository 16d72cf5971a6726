import type { Command } from 'commander';
import type { Model, ModelEvaluation, PreparedData, RowSelection } from '../../src/io/model.js';
import { Accumulator } from '../cache/cache-blocks.js';
import { dataPath, loadForSchema, loadModel, streamRows } from '../files.js';
import { RowChunks } from '../row-chunks.js';
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
      const e = split === 'all' ? await evaluateStreaming(model, data, delimiter) : await evaluateSplit(model, data, split, delimiter);
      const source = dataPath(data).source;
      if (flags.json) {
        process.stdout.write(JSON.stringify({ model: modelPath, data: source, split, ...evaluationJSON(e) }) + '\n');
        return;
      }
      const which = split === 'all' ? 'all' : split === 'train' ? 'training' : 'test';
      process.stdout.write(`${modelPath} on ${which} rows of ${source} (loss ${e.lossName})\n\n${formatEvaluation(which, e)}\n`);
    });
}

/** All rows, read and evaluated a chunk at a time (memory bounded by a chunk, whatever the file's size). */
async function evaluateStreaming(model: Model, data: string, delimiter?: string): Promise<ModelEvaluation> {
  const { source } = dataPath(data);
  const acc = new Accumulator(model.network, model.file.data.kind === 'classification' ? model.file.data.classes : undefined);
  // a file of one chunk is evaluated as before, in one piece (the same figures, bit for bit)
  let first: PreparedData | undefined;
  let chunksSeen = 0;
  let firstLines: Int32Array | undefined;
  const add = (p: PreparedData, lines: Int32Array) => {
    // an output that is not finite is named by its row
    if (!acc.add(model, { X: p.X, Y: p.Y!, ...(p.labels ? { labels: p.labels } : {}), ...(p.values ? { values: p.values } : {}) })) model.predictPrepared(p.X, { source, lines });
  };
  const chunks = new RowChunks(source, model.schema, true, (chunk) => {
    const p = model.prepareData(chunk);
    if (++chunksSeen === 1) {
      first = p;
      firstLines = chunk.lines;
    } else {
      if (first) add(first, firstLines!);
      first = undefined;
      add(p, chunk.lines);
    }
  });
  await streamRows(data, chunks, delimiter);
  if (chunksSeen === 1) {
    const e = model.evaluatePrepared(first!);
    if (!Number.isFinite(e.loss)) model.predictPrepared(first!.X, { source, lines: firstLines });
    return e;
  }
  return acc.result()!;
}

/** The training or test part of the model's split: those need all rows' classes first, so the file is read whole. */
async function evaluateSplit(model: Model, data: string, split: RowSelection, delimiter?: string): Promise<ModelEvaluation> {
  const table = await loadForSchema(data, model.schema, { requireTarget: true, delimiter, lines: true }); // line numbers (4 bytes a row) to name a row whose output is not finite
  return model.evaluateData(model.prepareData(table), table, split);
}
