// Builds the limit lines with the system compiler: build/train_f64, build/train_f32 (c/train.c)
// and build/gemm (c/gemm.c, OpenBLAS). Anything that cannot be built is skipped with a note.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from './data.mjs';

export const BUILD_DIR = join(BENCH_DIR, 'build');
export const CFLAGS = ['-O3', '-march=native'];

function gcc(args) {
  const r = spawnSync('gcc', args, { cwd: BENCH_DIR, encoding: 'utf8' });
  if (r.error) return { ok: false, message: r.error.code === 'ENOENT' ? 'gcc not found' : String(r.error) };
  return { ok: r.status === 0, message: (r.stderr || '').trim().split('\n').slice(0, 3).join(' ') };
}

/** Returns { gccVersion, built: Set of 'train_f64' | 'train_f32' | 'gemm', notes: string[] }. */
export function buildLimits() {
  mkdirSync(BUILD_DIR, { recursive: true });
  const notes = [];
  const built = new Set();
  const v = spawnSync('gcc', ['-dumpfullversion'], { encoding: 'utf8' });
  if (v.error || v.status !== 0) {
    notes.push('gcc not found: the C and OpenBLAS limit lines are skipped.');
    return { gccVersion: null, built, notes };
  }
  const gccVersion = v.stdout.trim();
  for (const [name, real] of [['train_f64', 'double'], ['train_f32', 'float']]) {
    const r = gcc([...CFLAGS, `-DREAL=${real}`, '-o', join('build', name), 'c/train.c', '-lm']);
    if (r.ok) built.add(name);
    else notes.push(`c/train.c (${real}) did not build, its limit line is skipped: ${r.message}`);
  }
  const r = gcc([...CFLAGS, '-o', join('build', 'gemm'), 'c/gemm.c', '-lopenblas']);
  if (r.ok) built.add('gemm');
  else {
    notes.push(
      `OpenBLAS not found (cblas.h / -lopenblas; Debian: apt-get install libopenblas-dev): the OpenBLAS lines are skipped. (${r.message})`,
    );
  }
  return { gccVersion, built, notes };
}
