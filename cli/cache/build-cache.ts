import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { FINGERPRINT_SEED, fingerprintHex, hashField } from '../../src/data/csv-records.js';
import { readRecords } from '../../src/data/dataset.js';
import { DatasetBuilder } from '../../src/data/dataset-builder.js';
import type { TargetKind } from '../../src/data/dataset-types.js';
import { isTestRow } from '../../src/data/hashed-split.js';
import { RunningStats } from '../../src/data/running-stats.js';
import { BackpropError } from '../../src/errors.js';
import { fileChunks } from '../files.js';
import { CacheProblem, CacheReader, CacheWriter, statsJSON, type WriteFn } from './cache-file.js';

/** Rows per block of a cache: the unit of checksums, of the block order, and of reading. */
export const BLOCK_ROWS = 8192;

/** What shapes a cache: the file it was made from, and the settings that decide its numbers and its split. */
export interface CacheSettings {
  target?: string;
  task: 'auto' | TargetKind;
  delimiter?: string;
  seed: number;
  testSplit: number;
}

/** Where a cache lives: a folder kept for the next run (--cache DIR), or a temporary one removed at the end. */
export interface CacheFolder {
  dir: string;
  kept: boolean;
  /** Removes the temporary folder (nothing for a kept one); idempotent. */
  dispose(): void;
}

let signalHook: ((signal: NodeJS.Signals) => boolean) | undefined;

/** Hears SIGINT and SIGTERM first while a temporary cache exists: true keeps the process running (undefined: no hook). */
export function onCacheSignal(hook: ((signal: NodeJS.Signals) => boolean) | undefined): void {
  signalHook = hook;
}

/**
 * The folder for a cache. A temporary one is removed when the process exits, whatever the reason
 * (an error, SIGINT or SIGTERM: those end the process at once, after removing it); in a kept one
 * (--cache DIR) only a cache being written is removed then (see buildCache).
 */
export function cacheFolder(given?: string): CacheFolder {
  const kept = given !== undefined;
  let dir: string;
  if (given !== undefined) {
    if (existsSync(given) && !statSync(given).isDirectory()) throw new BackpropError('option', `--cache '${given}' is a file: give a folder to keep the data cache in`);
    try {
      mkdirSync(given, { recursive: true });
    } catch (err) {
      throw new BackpropError('option', `--cache '${given}': cannot create the folder (${(err as Error).message})`);
    }
    dir = given;
    removeStalePartials(dir);
  } else dir = mkdtempSync(join(tmpdir(), 'backprop-cache-'));
  let gone = false;
  const dispose = () => {
    if (gone) return;
    gone = true;
    if (!kept) rmSync(dir, { recursive: true, force: true });
    process.off('exit', dispose);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalHook?.(signal)) return; // a run with checkpoints stops after its group, with a checkpoint
    dispose();
    process.stderr.write(`\nbackprop: ${signal}: stopped${kept ? '' : '; removed the temporary data cache'}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143); // the 'exit' listeners remove a cache being written
  };
  process.on('exit', dispose);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { dir, kept, dispose };
}

/** Removes the caches that runs killed while writing them left in a kept folder (`….bpcache.<pid>.tmp` of a process no longer running). */
function removeStalePartials(dir: string): void {
  for (const entry of readdirSync(dir)) {
    const m = /\.bpcache\.(\d+)\.tmp$/.exec(entry);
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
      continue; // still writing it
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') continue;
    }
    rmSync(join(dir, entry), { force: true });
  }
}

/**
 * The key of a data file and the settings that shape its cache: the cache's name. The file's
 * content is checked apart, by its SHA-256 (fileDigest), so that an edit is seen whatever it does to
 * the file's size and time of change.
 */
export function cacheKey(path: string, s: CacheSettings): string {
  const parts = [realpathSync(path), s.target ?? '', s.task, s.delimiter ?? '', String(s.seed), String(s.testSplit)];
  let h = FINGERPRINT_SEED;
  for (const p of parts) h = hashField(h, p);
  let h2 = 0x1b873593;
  for (const p of parts.reverse()) h2 = hashField(h2, p);
  return fingerprintHex(h) + fingerprintHex(h2);
}

/** The SHA-256 of a file's bytes, in hex (about 1.8 GB a second here: 0.8 s for 1.5 GB). */
export async function fileDigest(path: string, source: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fileChunks(path, source)) hash.update(chunk);
  return hash.digest('hex');
}

/** The file's chunks, each added to `hash` as it goes by. */
async function* hashedChunks(chunks: AsyncIterable<Uint8Array>, hash: ReturnType<typeof createHash>): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    hash.update(chunk);
    yield chunk;
  }
}

/** The cache file a data file and its settings have in a folder. */
export function cachePath(dir: string, path: string, key: string): string {
  return join(dir, `${basename(path).replace(/[^\w.-]/g, '_')}.${key}.bpcache`);
}

export interface OpenedCache {
  reader: CacheReader;
  /** Whether it was read from an earlier run, and why it was rebuilt if it could not be. */
  reused: boolean;
  rebuilt?: string;
}

/**
 * The cache of a data file: the one in the folder when it was made from the same file and
 * settings and is whole (else rebuilt, saying why through `note`), or made now by reading the file
 * once. A bad cell anywhere, or a failed write, leaves no cache behind.
 */
export async function openOrBuildCache(
  path: string,
  source: string,
  folder: CacheFolder,
  s: CacheSettings,
  note: (message: string) => void,
  write?: WriteFn,
): Promise<OpenedCache> {
  const key = cacheKey(path, s);
  const file = cachePath(folder.dir, path, key);
  let rebuilt: string | undefined;
  if (existsSync(file)) {
    try {
      const reader = CacheReader.open(file);
      try {
        if (reader.meta.key !== key) throw new CacheProblem('it was made from other data or settings');
        if (reader.meta.digest !== (await fileDigest(path, source))) throw new CacheProblem(`${source} has changed since the cache was made (its SHA-256 differs)`);
        reader.verify();
      } catch (err) {
        reader.close();
        throw err;
      }
      return { reader, reused: true };
    } catch (err) {
      if (!(err instanceof CacheProblem)) throw err;
      rebuilt = err.message;
    }
    note(`the data cache ${file} cannot be used (${rebuilt}): rebuilding it`);
    unlinkSync(file);
  }
  await buildCache(path, source, file, key, s, write);
  return { reader: CacheReader.open(file), reused: false, ...(rebuilt ? { rebuilt } : {}) };
}

/** Reads the CSV file once into a cache file: the features through the writer, then the targets and the statistics. */
async function buildCache(path: string, source: string, file: string, key: string, s: CacheSettings, write?: WriteFn): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  let writer: CacheWriter | undefined;
  const split = { seed: s.seed, testSplit: s.testSplit };
  const b = new DatasetBuilder(source, {
    target: s.target,
    task: s.task,
    sink: {
      push(v: number) {
        writer ??= new CacheWriter(file, tmp, builderFeatures(b), BLOCK_ROWS, split, write);
        writer.push(v);
      },
    },
  });
  // a cache being written goes if the process ends (an error, a signal) before it is whole
  const removePartial = () => writer?.abort();
  process.on('exit', removePartial);
  try {
    const hash = createHash('sha256');
    const fingerprint = await readRecords(hashedChunks(fileChunks(path, source), hash), source, b, s.delimiter, statSync(path).size);
    const { schema, Y, labels } = b.finishTraining();
    writer ??= new CacheWriter(file, tmp, schema.features.length, BLOCK_ROWS, split, write);
    const rows = b.rows;
    let census: number[] | undefined;
    let targetStats: RunningStats | undefined;
    if (labels) {
      census = new Array<number>(schema.classes!.length).fill(0);
      for (let i = 0; i < rows; i++) census[labels[i]]++;
    } else {
      targetStats = new RunningStats(1);
      for (let i = 0; i < rows; i++) if (!isTestRow(s.seed, i, s.testSplit)) targetStats.add(0, Y.data[i]);
    }
    writer.finish(labels ?? Y.data, {
      fingerprint,
      key,
      digest: hash.digest('hex'),
      source,
      schema,
      seed: s.seed,
      testSplit: s.testSplit,
      ...(census ? { census } : {}),
      ...(targetStats ? { targetStats: statsJSON(targetStats) } : {}),
    });
  } catch (err) {
    writer?.abort();
    throw err;
  } finally {
    process.off('exit', removePartial);
  }
}

/** The number of feature columns a builder has found in the header. */
function builderFeatures(b: DatasetBuilder): number {
  return b.header.length - 1;
}
