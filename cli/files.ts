import { randomBytes } from 'node:crypto';
import {
  accessSync,
  createReadStream,
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CsvTable } from '../src/data/csv.js';
import { parseCsv } from '../src/data/csv-records.js';
import { readDataset, readForSchema, type Dataset, type DataSchema, type ReadOptions } from '../src/data/dataset.js';
import { BackpropError } from '../src/errors.js';
import { Model } from '../src/io/model.js';

/** The data sets shipped in the package's data/ folder, usable by name wherever a CSV path is. */
export const BUNDLED_DATASETS = ['xor', 'iris', 'digits'] as const;

/** The folder holding package.json, found by walking up from this file (works from cli/ and dist/cli/). */
export function packageRoot(from = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new BackpropError('install', `cannot find the backprop package folder above ${fileURLToPath(from)}`);
    dir = up;
  }
}

/** The path of a bundled data set's CSV file. */
export function bundledPath(name: string): string {
  return join(packageRoot(), 'data', `${name}.csv`);
}

/** Reads a text file, or throws a BackpropError saying which file and why. */
export function readTextFile(path: string, what = 'file'): string {
  let stat;
  try {
    stat = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BackpropError('io', code === 'ENOENT' ? `cannot read ${what} '${path}': no such file` : `cannot read ${what} '${path}': ${(err as Error).message}`);
  }
  if (stat.isDirectory()) throw new BackpropError('io', `cannot read ${what} '${path}': it is a folder, expected a file`);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new BackpropError('io', `cannot read ${what} '${path}': ${(err as Error).message}`);
  }
}

/**
 * A CSV file or a bundled data set by name: an existing file wins; otherwise `xor`, `iris` or
 * `digits` (with or without .csv) names a bundled set.
 */
export function readData(arg: string): { text: string; source: string } {
  if (existsSync(arg)) return { text: readTextFile(arg, 'data file'), source: arg };
  const name = arg.toLowerCase().replace(/\.csv$/, '');
  if ((BUNDLED_DATASETS as readonly string[]).includes(name) && !/[\\/]/.test(arg)) {
    return { text: readTextFile(bundledPath(name), 'bundled data set'), source: `${name}.csv` };
  }
  if (/[\\/]|\.\w+$/.test(arg)) throw new BackpropError('io', `cannot read data file '${arg}': no such file`);
  throw new BackpropError(
    'io',
    `'${arg}' is neither a file nor a bundled data set: give a CSV file's path, or one of ${BUNDLED_DATASETS.join(', ')}`,
  );
}

/**
 * A CSV file or bundled data set, read in chunks into a training data set (no whole-file
 * string): see readDataset.
 */
export async function loadDataset(arg: string, options: ReadOptions = {}): Promise<Dataset> {
  const { path, source } = dataPath(arg);
  return readDataset(fileChunks(path, source), source, { ...options, bytes: statSync(path).size });
}

/** A CSV file or bundled data set, read in chunks for a trained model's columns: see readForSchema. */
export async function loadForSchema(arg: string, schema: DataSchema, options: { requireTarget: boolean; delimiter?: string; lines?: boolean }) {
  const { path, source } = dataPath(arg);
  const { requireTarget, delimiter, lines } = options;
  return { source, ...(await readForSchema(fileChunks(path, source), source, schema, requireTarget, { delimiter, lines, bytes: statSync(path).size })) };
}

/** The file's bytes in chunks of 1 MB; a read error as a BackpropError naming the file. */
async function* fileChunks(path: string, source: string): AsyncGenerator<Uint8Array> {
  try {
    yield* createReadStream(path, { highWaterMark: 1 << 20 });
  } catch (err) {
    throw new BackpropError('io', `cannot read data file '${source}': ${(err as Error).message}`);
  }
}

/** Where a data argument's file is: the file itself, or a bundled data set's. */
function dataPath(arg: string): { path: string; source: string } {
  if (existsSync(arg)) {
    if (statSync(arg).isDirectory()) throw new BackpropError('io', `cannot read data file '${arg}': it is a folder, expected a file`);
    return { path: arg, source: arg };
  }
  readData(arg); // throws the message for a missing file or unknown name
  const name = arg.toLowerCase().replace(/\.csv$/, '');
  return { path: bundledPath(name), source: `${name}.csv` };
}

/** Reads and parses a CSV file or bundled data set. */
export function loadTable(arg: string, delimiter?: string): CsvTable {
  const { text, source } = readData(arg);
  return parseCsv(text, source, delimiter === undefined ? {} : { delimiter });
}

/** Reads and checks a model file. */
export function loadModel(path: string): Model {
  return Model.parse(readTextFile(path, 'model file'), path);
}

/** Fails early (before any training) if `path` could not be written: a folder, or a missing or read-only folder. */
export function checkWritable(path: string, flag: string): void {
  const dir = dirname(resolve(path));
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new BackpropError('option', `${flag} '${path}' is a folder: give a file name`);
  }
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new BackpropError('option', `${flag} '${path}': the folder ${dir} does not exist`);
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new BackpropError('option', `${flag} '${path}': the folder ${dir} is not writable`);
  }
}

/**
 * Writes a file (text, or bytes such as an ONNX model) so that a crash, a full disk or an error
 * never leaves a half-written file in its place: the data goes to a temporary file beside the
 * target, is flushed to disk, and then renamed over the target in one step. On failure the temporary file is removed and the old
 * file, if any, is untouched.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const target = resolve(path);
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    let mode = 0o644;
    try {
      mode = statSync(target).mode & 0o777;
    } catch {
      // a new file
    }
    fd = openSync(tmp, 'wx', mode);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
  } catch (err) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing: report the first error
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // never created
    }
    const kept = existsSync(target) ? '; the existing file is unchanged' : '';
    throw new BackpropError('io', `could not save '${path}': ${(err as Error).message}${kept}`);
  }
  try {
    // Make the rename itself durable; not every platform can open a folder, which is fine.
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // best effort
  }
}
