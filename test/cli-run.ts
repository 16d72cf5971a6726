// Runs the command-line tool from source (through tsx) in a child process, for the cli-* tests.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `backprop ...args`, with stdout and stderr piped (so neither is a terminal). */
export function backprop(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'cli/main.ts'), ...args],
      { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const made: string[] = [];
process.on('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A fresh folder for a test's files, removed when the test process ends. */
export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'backprop-cli-'));
  made.push(d);
  return d;
}

/** The last line of stdout, parsed as JSON. */
export function lastJSON(stdout: string): any {
  const lines = stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/** A 3-class CSV of `rows` rows and 5 features in [-1, 1] (seeded), the label by thresholds on x0 + 0.5·x1·x2 − 0.3·x3. */
export function bigCsv(rows: number, seed: number): string {
  const lines = ['x0,x1,x2,x3,x4,label'];
  let s = seed;
  const r = () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296) * 2 - 1;
  for (let i = 0; i < rows; i++) {
    const x = [r(), r(), r(), r(), r()];
    const v = x[0] + 0.5 * x[1] * x[2] - 0.3 * x[3];
    lines.push(`${x.map((a) => a.toFixed(4)).join(',')},${v < -0.3 ? 'a' : v < 0.3 ? 'b' : 'c'}`);
  }
  return lines.join('\n') + '\n';
}
