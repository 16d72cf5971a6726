import { accessSync, constants, existsSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BackpropError } from '../src/errors.js';
import { parseTrainCheckpoint, trainCheckpointToText, type TrainCheckpoint } from '../src/io/train-checkpoint.js';
import { warn } from './errors.js';
import { readTextFile, writeFileAtomic } from './files.js';

/**
 * The command line keeps one checkpoint per folder, in this file, replaced atomically on each
 * save: at every moment it holds the last complete checkpoint.
 */
export const CHECKPOINT_FILE = 'checkpoint.json';

/** The checkpoint file of a --checkpoint or --resume folder (a checkpoint file's own path is accepted too). */
export function checkpointFile(dirOrFile: string): string {
  return existsSync(dirOrFile) && statSync(dirOrFile).isFile() ? dirOrFile : join(dirOrFile, CHECKPOINT_FILE);
}

/**
 * Reads and checks the checkpoint in a folder, naming the file and the field on any problem.
 * `onUnverified` is told when it carries no checksum (it is read as it is).
 */
export function readCheckpoint(dirOrFile: string, flag = '--resume', onUnverified?: (message: string) => void): TrainCheckpoint {
  const path = checkpointFile(dirOrFile);
  if (!existsSync(path)) {
    throw new BackpropError(
      'io',
      existsSync(dirOrFile)
        ? `${flag} '${dirOrFile}' holds no checkpoint (${CHECKPOINT_FILE}): give the folder passed to --checkpoint`
        : `${flag} '${dirOrFile}': no such folder`,
    );
  }
  return parseTrainCheckpoint(readTextFile(path, 'checkpoint'), path, { onUnverified });
}

/** A checkpoint to resume: its file, its content, and whether its checksum vouched for it. */
export interface ResumedCheckpoint {
  path: string;
  checkpoint: TrainCheckpoint;
  verified: boolean;
}

/** Reads the checkpoint of a --resume folder; one without a checksum is read with a warning, as unverified. */
export function resumeCheckpoint(dirOrFile: string): ResumedCheckpoint {
  let verified = true;
  const checkpoint = readCheckpoint(dirOrFile, '--resume', (message) => {
    verified = false;
    warn(message);
  });
  return { path: checkpointFile(dirOrFile), checkpoint, verified };
}

/**
 * Makes the --checkpoint folder (and checks it is writable) before any training. A new run
 * does not replace the checkpoint of another run: `resuming` names the file being continued,
 * which may be replaced.
 */
export function prepareCheckpointDir(dir: string, resuming?: string): string {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new BackpropError('option', `--checkpoint '${dir}' is a file: give a folder (the checkpoint is saved in it as ${CHECKPOINT_FILE})`);
  }
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new BackpropError('option', `--checkpoint '${dir}': cannot write in this folder: ${(err as Error).message}`);
  }
  const path = join(dir, CHECKPOINT_FILE);
  if (existsSync(path) && (!resuming || resolve(resuming) !== resolve(path))) {
    let what = 'a checkpoint';
    try {
      const c = parseTrainCheckpoint(readTextFile(path, 'checkpoint'), path);
      what = `the checkpoint of a run on ${c.data.source} (${c.fit.history.epochs} of ${c.settings.epochs} epochs done)`;
    } catch {
      // damaged: still not ours to replace
    }
    throw new BackpropError(
      'option',
      `--checkpoint '${dir}' already holds ${what}: continue that run with --resume ${dir}, or delete ${path} (or choose another folder) to start a new one`,
    );
  }
  return path;
}

/** Saves a checkpoint atomically (the previous one stays whole if this fails). */
export function saveCheckpoint(path: string, c: TrainCheckpoint): void {
  writeFileAtomic(path, trainCheckpointToText(c));
}

/**
 * Removes a checkpoint once its run is over; true when it was there. A run that resumed from a
 * checkpoint it could not verify (`verified` false) removes nothing: the file stays as evidence.
 */
export function removeCheckpoint(path: string, verified = true): boolean {
  if (!verified) return false;
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}
