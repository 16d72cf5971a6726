import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** A test vector file from test/fixtures (copied from the slides' reference). */
export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** Asserts two matrices have the same shape and every entry within tol. */
export function assertClose(actual: ArrayLike<ArrayLike<number>>, expected: ArrayLike<ArrayLike<number>>, tol: number, what = 'matrix'): void {
  assert.equal(actual.length, expected.length, `${what}: row count`);
  for (let i = 0; i < expected.length; i++) {
    assert.equal(actual[i].length, expected[i].length, `${what}: columns of row ${i}`);
    for (let j = 0; j < expected[i].length; j++) {
      const d = Math.abs(actual[i][j] - expected[i][j]);
      assert.ok(d <= tol, `${what}[${i}][${j}] = ${actual[i][j]}, expected ${expected[i][j]} (±${tol})`);
    }
  }
}

/** Runs the CLI from source through tsx; returns exit status, stdout and stderr. */
export function cli(args: string[], options: { cwd?: string; input?: string } = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${root}cli/main.ts`, ...args], {
    cwd: options.cwd ?? root,
    encoding: 'utf8',
    input: options.input,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
