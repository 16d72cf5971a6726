import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BackpropError } from '../src/errors.js';
import { checkWritable, writeFileAtomic } from './files.js';

/** Fails early if `dir` cannot become a folder of output files: a file, or in a missing folder. */
export function checkFolder(dir: string, flag: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new BackpropError('option', `${flag} '${dir}' is a file: give a folder`);
  const parent = dirname(resolve(dir));
  if (!existsSync(parent) || !statSync(parent).isDirectory()) {
    throw new BackpropError('option', `${flag} '${dir}': the folder ${parent} does not exist`);
  }
}

/** Writes the files into `dir` (made if missing), each replaced atomically. Everything is computed before this is called. */
export function writeFolder(dir: string, files: Record<string, string | Uint8Array>, flag: string): void {
  checkFolder(dir, flag);
  if (!existsSync(dir)) mkdirSync(dir);
  for (const name of Object.keys(files)) checkWritable(join(dir, name), flag);
  for (const [name, data] of Object.entries(files)) writeFileAtomic(join(dir, name), data);
}
