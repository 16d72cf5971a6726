import { randomBytes } from 'node:crypto';
import {
  accessSync,
  createReadStream,
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CsvTable } from '../src/data/csv.js';
import { CsvRecordReader, parseCsv, type RecordHandler } from '../src/data/csv-records.js';
import { readDataset, readForSchema, type Dataset, type DataSchema, type ReadOptions } from '../src/data/dataset.js';
import { BackpropError } from '../src/errors.js';
import { Model } from '../src/io/model.js';
import { warn } from './errors.js';

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

/** Reads a CSV file or bundled data set in chunks into a RecordHandler (e.g. RowChunks); `end` runs after the reader's checks. */
export async function streamRows(arg: string, handler: RecordHandler & { end(): void }, delimiter?: string): Promise<{ source: string; fingerprint: string }> {
  const { path, source } = dataPath(arg);
  const reader = new CsvRecordReader(source, handler, delimiter, statSync(path).size);
  for await (const chunk of fileChunks(path, source)) reader.write(chunk);
  const fingerprint = reader.end();
  handler.end();
  return { source, fingerprint };
}

/** A CSV file or bundled data set, read in chunks for a trained model's columns: see readForSchema. */
export async function loadForSchema(arg: string, schema: DataSchema, options: { requireTarget: boolean; delimiter?: string; lines?: boolean }) {
  const { path, source } = dataPath(arg);
  const { requireTarget, delimiter, lines } = options;
  return { source, ...(await readForSchema(fileChunks(path, source), source, schema, requireTarget, { delimiter, lines, bytes: statSync(path).size })) };
}

/** The file's bytes in chunks of 1 MB; a read error as a BackpropError naming the file. */
export async function* fileChunks(path: string, source: string): AsyncGenerator<Uint8Array> {
  try {
    yield* createReadStream(path, { highWaterMark: 1 << 20 });
  } catch (err) {
    throw new BackpropError('io', `cannot read data file '${source}': ${(err as Error).message}`);
  }
}

/** Where a data argument's file is: the file itself, or a bundled data set's. */
export function dataPath(arg: string): { path: string; source: string } {
  if (existsSync(arg)) {
    if (statSync(arg).isDirectory()) throw new BackpropError('io', `cannot read data file '${arg}': it is a folder, expected a file`);
    return { path: arg, source: arg };
  }
  readData(arg); // throws the message for a missing file or unknown name
  const name = arg.toLowerCase().replace(/\.csv$/, '');
  return { path: bundledPath(name), source: `${name}.csv` };
}

/** The file readData reads for `arg`: the file itself, or a bundled data set's (undefined when neither exists). */
export function dataFile(arg: string): string | undefined {
  if (existsSync(arg)) return arg;
  const name = arg.toLowerCase().replace(/\.csv$/, '');
  return (BUNDLED_DATASETS as readonly string[]).includes(name) && !/[\\/]/.test(arg) ? bundledPath(name) : undefined;
}

/** Reads and parses a CSV file or bundled data set. */
export function loadTable(arg: string, delimiter?: string): CsvTable {
  const { text, source } = readData(arg);
  return parseCsv(text, source, delimiter === undefined ? {} : { delimiter });
}

/** Reads and checks a model file. */
export function loadModel(path: string): Model {
  return Model.parse(readTextFile(path, 'model file'), path, { onUnverified: warn });
}

/** Whether process `pid` is running (a process of another user counts as running). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

const swept = new Set<string>();

/**
 * Removes the temporary files that saves of `path` left behind when their process was killed
 * (`.name.<pid>.<random>.tmp` beside it, of a process no longer running); once per file per run.
 */
export function removeStaleTemporaries(path: string): void {
  const target = resolve(path);
  if (swept.has(target)) return;
  swept.add(target);
  const name = basename(target);
  let entries: string[];
  try {
    entries = readdirSync(dirname(target));
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(`.${name}.`) || !entry.endsWith('.tmp')) continue;
    const m = /^\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(entry.slice(name.length + 1));
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    try {
      unlinkSync(join(dirname(target), entry));
    } catch {
      // gone already, or not ours to remove
    }
  }
}

/**
 * Fails early (before any training) if `path` could not be written: a folder, or a missing or
 * read-only folder. Removes what killed saves of it left behind.
 */
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
  removeStaleTemporaries(path);
}

/** A path with every symbolic link resolved, for a file that may not exist yet (its folder's links resolved). */
function realPath(path: string): string {
  const full = resolve(path);
  try {
    return realpathSync(full);
  } catch {
    try {
      return join(realpathSync(dirname(full)), basename(full));
    } catch {
      return full;
    }
  }
}

/** A file a command reads or writes: what it is ("the data file", "--out") and where. */
export interface FileRole {
  role: string;
  path: string | undefined;
}

/**
 * Refuses, before any work, an output that is one of the command's inputs or another of its
 * outputs: the paths are compared with every symbolic link resolved, so that no write can destroy
 * a file the command needs or has just written.
 */
export function checkDistinctOutputs(inputs: FileRole[], outputs: FileRole[]): void {
  const seen = new Map<string, FileRole>();
  for (const input of inputs) if (input.path !== undefined) seen.set(realPath(input.path), input);
  const isInput = new Set(seen.values());
  for (const output of outputs) {
    if (output.path === undefined) continue;
    const real = realPath(output.path);
    const other = seen.get(real);
    if (other && isInput.has(other)) {
      throw new BackpropError('option', `${output.role} '${output.path}' is ${other.role} this command reads: writing it would destroy it; choose another file`);
    }
    if (other) {
      throw new BackpropError('option', `${output.role} '${output.path}' is the same file as ${other.role} '${other.path}': give each output its own file`);
    }
    seen.set(real, output);
  }
}

/**
 * A file written piece by piece (e.g. predictions as they are made) that appears only whole: the
 * pieces go to a temporary file beside the target, renamed over it by `commit`; `abort` (or any
 * failed write) removes the temporary file and leaves the old file, if any, untouched.
 */
export class AtomicFile {
  private fd: number | undefined;
  private readonly tmp: string;
  private readonly target: string;

  constructor(readonly path: string) {
    this.target = resolve(path);
    removeStaleTemporaries(this.target);
    this.tmp = join(dirname(this.target), `.${basename(this.target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    let mode = 0o644;
    try {
      mode = statSync(this.target).mode & 0o777;
    } catch {
      // a new file
    }
    try {
      this.fd = openSync(this.tmp, 'wx', mode);
    } catch (err) {
      throw new BackpropError('io', `could not save '${path}': ${(err as Error).message}`);
    }
  }

  write(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    try {
      for (let done = 0; done < bytes.length; ) done += writeSync(this.fd!, bytes, done, bytes.length - done);
    } catch (err) {
      this.abort();
      const kept = existsSync(this.target) ? '; the existing file is unchanged' : '';
      throw new BackpropError('io', `could not save '${this.path}': ${(err as Error).message}${kept}`);
    }
  }

  commit(): void {
    try {
      fsyncSync(this.fd!);
      closeSync(this.fd!);
      this.fd = undefined;
      renameSync(this.tmp, this.target);
    } catch (err) {
      this.abort();
      throw new BackpropError('io', `could not save '${this.path}': ${(err as Error).message}`);
    }
  }

  abort(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // failing already
      }
      this.fd = undefined;
    }
    try {
      unlinkSync(this.tmp);
    } catch {
      // gone already
    }
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
  removeStaleTemporaries(target);
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
