import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { BackpropError } from '../../src/errors.js';
import { isTestRow } from '../../src/data/hashed-split.js';
import { RunningStats } from '../../src/data/running-stats.js';
import type { DataSchema } from '../../src/data/dataset-types.js';

/**
 * The binary cache of a CSV file's numbers, for data larger than memory. Layout:
 *
 *   head (16 bytes): magic "BPCACHE\0", version (u32), 0
 *   features: rows × features float64, in blocks of `blockRows` rows (the last one shorter)
 *   targets: rows float64 (the class index, or the target's value), in the same blocks
 *   trailer: JSON (CacheMeta), UTF-8
 *   tail (16 bytes): the trailer's length (u32), its checksum (u32), magic "BPCEND\0\0"
 *
 * The trailer holds a checksum per block of each part, checked on every read: a truncated,
 * damaged or foreign file is one clear error, never a wrong run. The file is written under a
 * temporary name and renamed once complete.
 */

export const CACHE_VERSION = 2;
const HEAD = Buffer.from('BPCACHE\0', 'latin1');
const TAIL = Buffer.from('BPCEND\0\0', 'latin1');
const HEAD_BYTES = 16;
const TAIL_BYTES = 16;

/** What the trailer says about the cache. */
export interface CacheMeta {
  version: number;
  /** What made it: the data's fingerprint, the key of the file and settings it was made from, and the SHA-256 of the file's bytes. */
  fingerprint: string;
  key: string;
  digest: string;
  source: string;
  rows: number;
  features: number;
  blockRows: number;
  dtype: 'float64';
  schema: DataSchema;
  seed: number;
  testSplit: number;
  trainRows: number;
  testRows: number;
  /** Rows per class (classification), all rows. */
  census?: number[];
  /** The training rows' feature statistics (Welford): count, mean, m2, min, max per column. */
  stats: { count: number[]; mean: number[]; m2: number[]; min: number[]; max: number[] };
  /** The same for the target's values (regression). */
  targetStats?: CacheMeta['stats'];
  featureChecksums: number[];
  targetChecksums: number[];
}

/** A 32-bit checksum of bytes whose length is a multiple of 4 (FNV-1a over 32-bit words). */
export function checksum(bytes: Uint8Array): number {
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
  return h >>> 0;
}

/** The file system's write, replaceable in tests (a full disk). */
export type WriteFn = (fd: number, bytes: Uint8Array, offset: number, length: number) => number;

function diskError(path: string, err: unknown): BackpropError {
  const e = err as NodeJS.ErrnoException;
  const why = e.code === 'ENOSPC' ? 'the disk is full (ENOSPC)' : e.code === 'EDQUOT' ? 'the disk quota is exceeded' : e.message;
  return new BackpropError('io', `could not write the data cache '${path}': ${why}; the partial cache was removed (free some space, or give --cache a folder on another disk)`);
}

export function statsJSON(s: RunningStats): CacheMeta['stats'] {
  return { count: Array.from(s.count), mean: Array.from(s.mean), m2: Array.from(s.m2), min: Array.from(s.min), max: Array.from(s.max) };
}

export function statsFrom(j: CacheMeta['stats']): RunningStats {
  const s = new RunningStats(j.count.length);
  s.count.set(j.count);
  s.mean.set(j.mean);
  s.m2.set(j.m2);
  s.min.set(j.min);
  s.max.set(j.max);
  return s;
}

/**
 * Writes a cache as the CSV is read: it is the DatasetBuilder's feature sink (push), gathers the
 * training rows' statistics on the way (the split is the hashed one: seed and row index), and
 * is finished with the targets once the whole file is read. Any failure removes the partial file.
 */
export class CacheWriter {
  readonly stats: RunningStats;
  private readonly fd: number;
  private readonly block: Float64Array;
  private filled = 0;
  private row = 0;
  private col = 0;
  private readonly featureChecksums: number[] = [];
  private closed = false;
  trainRows = 0;

  constructor(
    readonly path: string,
    private readonly tmp: string,
    readonly features: number,
    readonly blockRows: number,
    private readonly split: { seed: number; testSplit: number },
    private readonly write: WriteFn = writeSync,
  ) {
    this.stats = new RunningStats(features);
    this.block = new Float64Array(blockRows * Math.max(1, features));
    this.fd = openSync(tmp, 'wx', 0o644);
    const head = Buffer.alloc(HEAD_BYTES);
    HEAD.copy(head, 0);
    head.writeUInt32LE(CACHE_VERSION, 8);
    this.writeAll(head);
  }

  /** The next feature value (row by row, column by column). */
  push(v: number): void {
    const j = this.col;
    this.block[this.filled++] = v;
    if (!isTestRow(this.split.seed, this.row, this.split.testSplit)) this.stats.add(j, v);
    if (++this.col === this.features) {
      if (!isTestRow(this.split.seed, this.row, this.split.testSplit)) this.trainRows++;
      this.col = 0;
      this.row++;
      if (this.filled === this.block.length) this.flush();
    }
  }

  private flush(): void {
    if (this.filled === 0) return;
    const bytes = new Uint8Array(this.block.buffer, 0, this.filled * 8);
    this.featureChecksums.push(checksum(bytes));
    this.writeAll(bytes);
    this.filled = 0;
  }

  private writeAll(bytes: Uint8Array): void {
    try {
      for (let done = 0; done < bytes.length; ) done += this.write(this.fd, bytes, done, bytes.length - done);
    } catch (err) {
      this.abort();
      throw diskError(this.path, err);
    }
  }

  /** Writes the targets (one per row) and the trailer, and puts the file in place. */
  finish(targets: ArrayLike<number>, meta: Omit<CacheMeta, 'version' | 'rows' | 'features' | 'blockRows' | 'dtype' | 'stats' | 'featureChecksums' | 'targetChecksums' | 'trainRows' | 'testRows'> & { targetStats?: CacheMeta['stats'] }): CacheMeta {
    this.flush();
    const rows = this.row;
    const targetChecksums: number[] = [];
    const buf = new Float64Array(this.blockRows);
    for (let a = 0; a < rows; a += this.blockRows) {
      const n = Math.min(this.blockRows, rows - a);
      for (let i = 0; i < n; i++) buf[i] = targets[a + i];
      const bytes = new Uint8Array(buf.buffer, 0, n * 8);
      targetChecksums.push(checksum(bytes));
      this.writeAll(bytes);
    }
    const full: CacheMeta = {
      version: CACHE_VERSION,
      ...meta,
      rows,
      features: this.features,
      blockRows: this.blockRows,
      dtype: 'float64',
      trainRows: this.trainRows,
      testRows: rows - this.trainRows,
      stats: statsJSON(this.stats),
      featureChecksums: this.featureChecksums,
      targetChecksums,
    };
    const trailer = Buffer.from(JSON.stringify(full), 'utf8');
    const tail = Buffer.alloc(TAIL_BYTES);
    tail.writeUInt32LE(trailer.length, 0);
    tail.writeUInt32LE(checksum(padded(trailer)), 4);
    TAIL.copy(tail, 8);
    this.writeAll(trailer);
    this.writeAll(tail);
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.closed = true;
      renameSync(this.tmp, this.path);
    } catch (err) {
      this.abort();
      throw diskError(this.path, err);
    }
    return full;
  }

  /** Closes and removes the partial file (idempotent). */
  abort(): void {
    if (!this.closed) {
      this.closed = true;
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
    }
    try {
      unlinkSync(this.tmp);
    } catch {
      // gone already
    }
  }
}

/** The bytes with zeros up to a multiple of 4 (for the checksum). */
function padded(b: Uint8Array): Uint8Array {
  if (b.length % 4 === 0) return b;
  const out = new Uint8Array(b.length + 4 - (b.length % 4));
  out.set(b);
  return out;
}

/** A cache that cannot be used: why, in words for a message. */
export class CacheProblem extends Error {}

/** An open cache: its trailer, and its blocks read (and checked) on demand. */
export class CacheReader {
  readonly meta: CacheMeta;
  private readonly fd: number;
  private readonly targetsAt: number;

  private constructor(readonly path: string, fd: number, meta: CacheMeta) {
    this.fd = fd;
    this.meta = meta;
    this.targetsAt = HEAD_BYTES + meta.rows * meta.features * 8;
  }

  /** Opens and checks a cache file's frame and trailer; throws CacheProblem saying what is wrong. */
  static open(path: string): CacheReader {
    const fd = openSync(path, 'r');
    try {
      return new CacheReader(path, fd, readMeta(fd));
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  get blocks(): number {
    return Math.ceil(this.meta.rows / this.meta.blockRows);
  }

  /** Rows in block b. */
  rowsIn(b: number): number {
    return Math.min(this.meta.blockRows, this.meta.rows - b * this.meta.blockRows);
  }

  /** Block b's features (rows × features) and targets, read into the given arrays (each large enough); checked against the checksums. */
  readBlock(b: number, features: Float64Array, targets: Float64Array): number {
    const { meta } = this;
    const n = this.rowsIn(b);
    const fBytes = new Uint8Array(features.buffer, features.byteOffset, n * meta.features * 8);
    const tBytes = new Uint8Array(targets.buffer, targets.byteOffset, n * 8);
    this.readExactly(fBytes, HEAD_BYTES + b * meta.blockRows * meta.features * 8);
    this.readExactly(tBytes, this.targetsAt + b * meta.blockRows * 8);
    if (checksum(fBytes) !== meta.featureChecksums[b] || checksum(tBytes) !== meta.targetChecksums[b]) {
      throw new BackpropError('io', `the data cache '${this.path}' is damaged: block ${b + 1} of ${this.blocks} does not match its checksum; delete the file to rebuild it`);
    }
    return n;
  }

  /** Reads every block once: throws CacheProblem at the first one that is short or does not match its checksum. */
  verify(): void {
    const f = new Float64Array(this.meta.blockRows * this.meta.features);
    const t = new Float64Array(this.meta.blockRows);
    for (let b = 0; b < this.blocks; b++) {
      try {
        this.readBlock(b, f, t);
      } catch (err) {
        if (!(err instanceof BackpropError)) throw err;
        throw new CacheProblem(`it is damaged: block ${b + 1} of ${this.blocks} does not match its checksum`);
      }
    }
  }

  private readExactly(into: Uint8Array, position: number): void {
    let done = 0;
    while (done < into.length) {
      const got = readSync(this.fd, into, done, into.length - done, position + done);
      if (got === 0) throw new BackpropError('io', `the data cache '${this.path}' is truncated: delete the file to rebuild it`);
      done += got;
    }
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // closed already
    }
  }
}

/** The trailer of an open cache file, after checking its frame. */
function readMeta(fd: number): CacheMeta {
  const size = fstatSync(fd).size;
  if (size < HEAD_BYTES + TAIL_BYTES) throw new CacheProblem(`it is truncated (${size} bytes)`);
  const head = Buffer.alloc(HEAD_BYTES);
  readSync(fd, head, 0, HEAD_BYTES, 0);
  if (!head.subarray(0, 8).equals(HEAD)) throw new CacheProblem('it is not a backprop data cache');
  const version = head.readUInt32LE(8);
  if (version !== CACHE_VERSION) throw new CacheProblem(`it is of version ${version}, this backprop reads version ${CACHE_VERSION}`);
  const tail = Buffer.alloc(TAIL_BYTES);
  readSync(fd, tail, 0, TAIL_BYTES, size - TAIL_BYTES);
  if (!tail.subarray(8).equals(TAIL)) throw new CacheProblem('it is truncated (its end is missing)');
  const length = tail.readUInt32LE(0);
  if (length > size - HEAD_BYTES - TAIL_BYTES) throw new CacheProblem('it is damaged (its trailer length is wrong)');
  const trailer = Buffer.alloc(length);
  readSync(fd, trailer, 0, length, size - TAIL_BYTES - length);
  if (checksum(padded(trailer)) !== tail.readUInt32LE(4)) throw new CacheProblem('it is damaged (its trailer does not match its checksum)');
  let meta: CacheMeta;
  try {
    meta = JSON.parse(trailer.toString('utf8')) as CacheMeta;
  } catch {
    throw new CacheProblem('it is damaged (its trailer is not JSON)');
  }
  const blocks = Math.ceil(meta.rows / meta.blockRows);
  const expected = HEAD_BYTES + meta.rows * (meta.features + 1) * 8 + length + TAIL_BYTES;
  if (size !== expected || meta.featureChecksums?.length !== blocks || meta.targetChecksums?.length !== blocks) {
    throw new CacheProblem(`it is damaged (${size} bytes, expected ${expected} for ${meta.rows} rows of ${meta.features} features)`);
  }
  return meta;
}
