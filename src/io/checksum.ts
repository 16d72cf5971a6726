import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { BackpropError } from '../errors.js';

/**
 * Content checksums of a saved file (model file, training checkpoint), one per section, so that
 * an edit is not only detected but named: `{ "network": "…", "fit.params": "…" }`. Each is the
 * first 16 hex digits of the SHA-256 of the section's JSON text (JSON.stringify of its value as
 * the format reads it: its own fields, in its order), so the layout of the file (spaces, line
 * breaks, fields a newer version may add) does not count, any change of a value does.
 */
export type Checksums = Record<string, string>;

/** The checksum of one value's JSON text. */
export function checksumOf(value: unknown): string {
  return bytesToHex(sha256(utf8ToBytes(JSON.stringify(value) ?? 'undefined'))).slice(0, 16);
}

/** The sections of `file` (its fields but `checksum`; the fields of those named in `nested` one by one). */
function sections(file: Record<string, unknown>, nested: readonly string[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(file)) {
    if (key === 'checksum' || value === undefined) continue;
    if (nested.includes(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [sub, v] of Object.entries(value)) if (v !== undefined) out.set(`${key}.${sub}`, v);
    } else {
      out.set(key, value);
    }
  }
  return out;
}

/** The checksums of a file's sections, to save in its `checksum` field. */
export function sectionChecksums(file: Record<string, unknown>, nested: readonly string[] = []): Checksums {
  const out: Checksums = {};
  for (const [name, value] of sections(file, nested)) out[name] = checksumOf(value);
  return out;
}

/**
 * The sections of `file` (as checked against its format, before any conversion) whose content differs from the checksums
 * saved with it: changed, added or removed ones. Empty when the file is as it was saved.
 */
export function changedSections(file: Record<string, unknown>, saved: Checksums, nested: readonly string[] = []): string[] {
  const now = sectionChecksums(file, nested);
  const names = new Set([...Object.keys(saved), ...Object.keys(now)]);
  return [...names].filter((name) => saved[name] !== now[name]);
}

/** How a file's checksum is checked: what its sections are, and how to speak of a failure. */
export interface ChecksumCheck {
  /** The file's name in messages. */
  source: string;
  /** The error code of a mismatch. */
  code: string;
  /** Sections whose fields are checked one by one. */
  nested?: readonly string[];
  /** What to do about a file that does not match, after "…: ". */
  advice: string;
  /** Told when the file carries no checksum (saved before files had one): it is loaded as it is. */
  onUnverified?: (message: string) => void;
}

/**
 * Checks the file (as checked against its format) against the checksum saved in it: a
 * BackpropError naming the sections that changed; a call of `onUnverified` when there is none.
 * Returns whether the file was verified.
 */
export function verifyChecksums(file: Record<string, unknown>, saved: Checksums | undefined, c: ChecksumCheck): boolean {
  if (saved === undefined) {
    c.onUnverified?.(`${c.source} carries no checksum (saved by an older backprop), so an edit cannot be detected: it is used as it is`);
    return false;
  }
  const changed = changedSections(file, saved, c.nested);
  if (changed.length === 0) return true;
  const list = changed.length === 1 ? `field ${changed[0]} does` : `fields ${changed.join(', ')} do`;
  throw new BackpropError(c.code, `${c.source} was changed after it was saved (edited by hand, or damaged): ${list} not match the checksum saved in the file: ${c.advice}`);
}
