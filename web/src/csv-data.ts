/**
 * Your own data: a CSV file read with the library's streaming reader, its target (the last
 * column) read as classes or numbers as the command line reads it, split and scaled as the other
 * sets are. The worker holds the file's columns; the page holds the data set the worker built
 * from them, to draw.
 */
import { BackpropError, Random, readDataset, type CsvSource, type Dataset as CsvData } from '../../src/index.js';
import { assemble, makeDataset, type DataOptions, type Dataset } from './datasets.js';

export type { CsvData };

/**
 * The file's columns, read chunk by chunk (a browser File streams its bytes): no whole-file
 * string and no row of text is kept, and the worker that reads it waits for each chunk, so
 * the page goes on while a large file loads. The reader's messages name the file, row and column.
 */
export function readCsv(input: CsvSource, name: string, bytes?: number): Promise<CsvData> {
  return readDataset(input, name, bytes === undefined ? {} : { bytes });
}

let file: CsvData | undefined;
let built: Dataset | undefined;

/** The worker's side: the file every 'csv' data set is built from. */
export function useCsvFile(d: CsvData): void {
  file = d;
}

/** The page's side: the data set the worker built last, to draw. */
export function useCsvDataset(d: Dataset): void {
  built = d;
}

/** The data set `options` names: the CSV file's for 'csv', else the playground's own. */
export function datasetFor(options: DataOptions, oneHot = false): Dataset {
  if (options.name !== 'csv') return makeDataset(options, oneHot);
  if (file) return csvDataset(file, options, oneHot);
  if (built) return built;
  throw new BackpropError('data', 'there is no CSV file yet: drop one on the page, or pick one under "Your own data"');
}

/** A regression's targets standardised, so that a linear output starts near them. */
function standardise(values: Float64Array): number[] {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / n) || 1;
  return Array.from(values, (v) => (v - mean) / sd);
}

/** The file as a playground data set: features standardised on the training rows, the test rows drawn from the seed. */
export function csvDataset(d: CsvData, options: DataOptions, oneHot: boolean): Dataset {
  const { features, target, kind, classes } = d.schema;
  return assemble(options, new Random(options.seed), {
    name: 'csv',
    source: d.source,
    inputs: features,
    columns: features,
    target,
    classes: classes ?? [],
    points: d.X.toArray(),
    labels: d.labels ? Array.from(d.labels) : [],
    cells: [],
    file: { rows: d.X.rows, fingerprint: d.fingerprint },
    oneHot,
    standardise: true,
    trainAll: false,
    ...(kind === 'regression' ? { values: standardise(d.Y.data as Float64Array) } : {}),
  });
}

/** Rows of each part the page's copy holds, to draw. */
export const PAGE_ROWS = 5000;

/**
 * The data set as the page needs it, to draw: no table of text, and at most PAGE_ROWS training
 * and test rows (every k-th), with the full counts in `full`.
 */
export function forPage(d: Dataset): Dataset {
  const every = <T>(rows: T[]) => (rows.length <= PAGE_ROWS ? rows : rows.filter((_, i) => i % Math.ceil(rows.length / PAGE_ROWS) === 0));
  return {
    ...d,
    table: { header: d.table.header, rows: [] },
    testRows: [],
    trainX: every(d.trainX),
    trainY: every(d.trainY),
    testX: every(d.testX),
    testY: every(d.testY),
    full: { train: d.trainX.length, test: d.testX.length },
  };
}
