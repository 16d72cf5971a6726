// The long run (npm run test:long): `backprop train --checkpoint` stopped by a real SIGTERM or
// SIGINT in the middle of an epoch, then `--resume`d in a new process, ends with a model file
// whose weights equal, bit for bit, those of a run that was never stopped.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { backprop, root, tempDir } from '../cli-run.js';

const dir = tempDir();
const f = (name: string) => join(dir, name);

// Digits in batches of 1: 1,438 steps an epoch, about 0.2 s an epoch; a checkpoint every 200 steps.
const RUNS = {
  adam: ['train', 'digits', '--batch', '1', '--epochs', '10'],
  momentum: ['train', 'digits', '--batch', '3', '--epochs', '24', '--optimizer', 'momentum', '--validation-split', '0.1', '--early-stop', '40'],
};

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `backprop ...args`; sends `signals` once the first checkpoint is on disk. */
async function interrupted(args: string[], checkpointDir: string, signals: NodeJS.Signals[]): Promise<Exit> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let running = true;
  void exited.then(() => (running = false));
  while (running && !existsSync(join(checkpointDir, 'checkpoint.json'))) await new Promise((r) => setTimeout(r, 10));
  assert.ok(running, `the run ended before a checkpoint was seen:\n${stderr}`);
  for (const s of signals) child.kill(s);
  return { code: await exited, stdout, stderr };
}

/** Every weight and bias of a model file, as the bytes of float64 numbers. */
function weightBytes(path: string): Buffer {
  const net = JSON.parse(readFileSync(path, 'utf8')).network;
  const values: number[] = [];
  for (const l of net.layers) {
    for (const row of l.weights) values.push(...row);
    values.push(...(l.biases ?? []));
  }
  return Buffer.from(Float64Array.from(values).buffer);
}

const reference: Record<string, Buffer> = {};

describe('stopped by a signal mid-epoch, resumed in a new process', { concurrency: 1 }, () => {
  before(async () => {
    const runs = await Promise.all(
      Object.entries(RUNS).map(async ([name, args]) => [name, await backprop([...args, '--out', f(`${name}-reference.json`), '--quiet'])] as const),
    );
    for (const [name, r] of runs) {
      assert.equal(r.code, 0, r.stderr);
      reference[name] = weightBytes(f(`${name}-reference.json`));
    }
  });

  const cases: [string, keyof typeof RUNS, NodeJS.Signals[], number][] = [
    ['SIGTERM', 'adam', ['SIGTERM'], 143],
    ['SIGINT (Ctrl-C), with validation and early stopping', 'momentum', ['SIGINT'], 130],
  ];
  for (const [name, run, signals, code] of cases) {
    test(`${name}: exit code ${code}, a checkpoint inside the epoch, and after --resume the same weights bit for bit`, async () => {
      // The signal may, rarely, land just as an epoch ends: then try again, for a stop mid-epoch.
      let batch = 0;
      for (let attempt = 1; batch === 0 && attempt <= 3; attempt++) {
        const ck = f(`${run}-ck`);
        const out = f(`${run}.json`);
        rmSync(ck, { recursive: true, force: true });
        const r = await interrupted([...RUNS[run], '--checkpoint', ck, '--every-batches', '200', '--out', out, '--quiet'], ck, signals);
        assert.equal(r.code, code, r.stderr);
        assert.match(r.stderr, new RegExp(`^backprop: ${signals[0]}: stopping after the current batch, with a checkpoint`, 'm'));
        assert.match(r.stderr, new RegExp(`^backprop: stopped by ${signals[0]} at .*, and saved a checkpoint to .*checkpoint\\.json: continue with \`backprop train --resume .*${run}-ck\`$`, 'm'));
        assert.doesNotMatch(r.stderr, /\n +at /, 'no stack trace');
        assert.ok(!existsSync(out), 'an interrupted run does not save the unfinished model');
        const c = JSON.parse(readFileSync(join(ck, 'checkpoint.json'), 'utf8'));
        batch = c.fit.batch;
        if (batch === 0) continue;
        assert.match(r.stderr, new RegExp(`at epoch ${c.fit.epoch}, after batch ${batch},`));

        const resumed = await backprop(['train', '--resume', ck, '--quiet']);
        assert.equal(resumed.code, 0, resumed.stderr);
        assert.match(resumed.stdout, /resuming from .*checkpoint\.json: epoch \d+, after batch \d+/);
        assert.match(resumed.stdout, /saved the model to .*\.json/);
        assert.ok(weightBytes(out).equals(reference[run]), 'the resumed run ends with the weights of the uninterrupted one');
        assert.deepEqual(readdirSync(ck), [], 'the finished run removed its checkpoint');
      }
      assert.ok(batch > 0, 'stopped inside an epoch');
    });
  }

  test('a second signal ends the process at once, and the checkpoint left behind still resumes to the same weights', async () => {
    const ck = f('twice-ck');
    const out = f('twice.json');
    const r = await interrupted([...RUNS.adam, '--checkpoint', ck, '--every-batches', '200', '--out', out, '--quiet'], ck, ['SIGTERM', 'SIGTERM']);
    assert.equal(r.code, 143, r.stderr);
    assert.doesNotMatch(r.stderr, /\n +at /);
    const resumed = await backprop(['train', '--resume', ck, '--quiet']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.ok(weightBytes(out).equals(reference.adam));
  });
});
