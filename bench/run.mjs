#!/usr/bin/env node
// The benchmark suite: `npm run bench` (in bench/). See README.md.
//
//   --runs N          counted runs per library and workload (default 5)
//   --warmup N        warm-up rounds, not counted (default 1)
//   --only W1,W3      workloads to run (W1 W2 W3 W4; default all)
//   --libs a,b        libraries: ids (backprop tfjs-cpu tfjs-wasm brain synaptic convnetjs c-f64 c-f32
//                     openblas-1 openblas-2) or names (tfjs, c-limit, openblas, brain.js)
//   --timeout S       time limit of one run in seconds (default 600)
//   --gemm-seconds S  W4: time each product for at least S seconds per run (default 0.3)
//   --json            print the JSON document on stdout instead of the table
//   --no-save         write nothing to results/ (for quick iterations)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIR, dataPath, readData, writeData } from './lib/data.mjs';
import { WORKLOADS, TRAINING_WORKLOADS, judge, gemmWorkloadId } from './lib/workloads.mjs';
import { LIBRARIES } from './lib/libraries.mjs';
import { buildLimits, BUILD_DIR, CFLAGS } from './lib/build.mjs';
import { buildRows, renderMarkdown } from './lib/report.mjs';

const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    only: { type: 'string' },
    libs: { type: 'string' },
    timeout: { type: 'string', default: '600' },
    'gemm-seconds': { type: 'string', default: '0.3' },
    json: { type: 'boolean', default: false },
    'no-save': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  console.log(readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(1, 14).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}
const runs = Number(opt.runs);
const warmup = Number(opt.warmup);
const timeoutSeconds = Number(opt.timeout);
const gemmSeconds = Number(opt['gemm-seconds']);
for (const [k, v] of Object.entries({ runs, warmup, timeout: timeoutSeconds, 'gemm-seconds': gemmSeconds })) {
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${k} must be a non-negative number`);
}
const ALL_WORKLOADS = [...TRAINING_WORKLOADS, 'W4'];
const workloads = opt.only ? opt.only.split(',').map((s) => s.trim().toUpperCase()) : ALL_WORKLOADS;
for (const w of workloads) if (!ALL_WORKLOADS.includes(w)) throw new Error(`unknown workload ${w} (W1 W2 W3 W4)`);
const libFilter = opt.libs ? opt.libs.split(',').map((s) => s.trim()) : null;
const wanted = (lib) =>
  !libFilter || libFilter.some((x) => x === lib.id || x === lib.library || (x === 'c' && lib.kind === 'c') || lib.id.startsWith(`${x}-`));
const libs = LIBRARIES.filter(wanted);
if (!libs.length) throw new Error(`--libs ${opt.libs} matches no library`);

const log = (...a) => console.error(...a);
if (libs.some((l) => l.package) && !existsSync(join(BENCH_DIR, 'node_modules', '@tensorflow', 'tfjs'))) {
  log('bench: the peers are not installed: run `npm ci` in bench/ first.');
  process.exit(1);
}
const BACKPROP_ENTRY = join(BENCH_DIR, '..', 'dist', 'src', 'index.js');

// ---- preparation: limit lines, data, environment -------------------------------------------
const notes = [];
const needC = libs.some((l) => l.kind !== 'js');
const build = needC ? buildLimits() : { gccVersion: null, built: new Set(), notes: [] };
notes.push(...build.notes);
for (const n of build.notes) log(`note: ${n}`);

const targets = {}; // the first evalRows target rows of each workload, to judge the outputs by
for (const w of workloads) {
  if (w === 'W4') continue;
  writeData(w);
  targets[w] = readData(w).Y.slice(0, WORKLOADS[w].evalRows);
}

function pkgVersion(name, dir = join(BENCH_DIR, 'node_modules', name)) {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}
function cpuModel() {
  // "model name", plus family/model and the vector extensions that matter to the kernels
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (k) => new RegExp(`^${k}\\s*:\\s*(.+)$`, 'm').exec(info)?.[1].trim();
    const flags = (field('flags') ?? '').split(/\s+/);
    const simd = ['avx2', 'fma', 'avx512f', 'avx512_bf16'].filter((f) => flags.includes(f));
    const name = field('model name');
    if (name) return `${name} (family ${field('cpu family')}, model ${field('model')}; ${simd.join(', ') || 'no AVX2'})`;
  } catch {}
  return os.cpus()[0]?.model ?? 'unknown';
}
function backpropVersion() {
  const v = pkgVersion('backprop', join(BENCH_DIR, '..'));
  const g = spawnSync('git', ['-C', join(BENCH_DIR, '..'), 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  return g.status === 0 ? `${v} (${g.stdout.trim()})` : v;
}

function openblasConfig() {
  const r = spawnSync(join(BUILD_DIR, 'gemm'), ['--config'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

const meta = {
  date: new Date().toISOString(),
  cpu: cpuModel(),
  cores: os.cpus().length,
  memoryGB: Math.round(os.totalmem() / 2 ** 30),
  os: `${os.type()} ${os.release()}`,
  node: process.version,
  gcc: build.gccVersion,
  cflags: CFLAGS.join(' '),
  openblas: build.built.has('gemm') ? openblasConfig() : null,
  // 1-minute load averages: other work on the machine shows up here and in the min–max spread
  loadAverage: { start: Number(os.loadavg()[0].toFixed(2)), end: null },
  versions: {
    backprop: backpropVersion(),
    '@tensorflow/tfjs': pkgVersion('@tensorflow/tfjs'),
    '@tensorflow/tfjs-backend-wasm': pkgVersion('@tensorflow/tfjs-backend-wasm'),
    'brain.js': pkgVersion('brain.js'),
    synaptic: pkgVersion('synaptic'),
    convnetjs: pkgVersion('convnetjs'),
  },
  options: {
    runs,
    warmup,
    timeoutSeconds,
    gemmSeconds,
    filters: [opt.only && `--only ${opt.only}`, opt.libs && `--libs ${opt.libs}`].filter(Boolean).join(' ') || null,
  },
};

// ---- the plan ------------------------------------------------------------------------------
const cells = new Map(); // `${libId}|${workload}` → results
const cell = (libId, workload) => {
  const k = `${libId}|${workload}`;
  if (!cells.has(k)) cells.set(k, { libId, workload, samples: [], dnf: 0, errors: [], notAvailable: null });
  return cells.get(k);
};
const subWorkloads = (w) => (w === 'W4' ? WORKLOADS.W4.shapes.map((s) => gemmWorkloadId(s.name)) : [w]);

const tasks = [];
for (const w of workloads) {
  for (const lib of libs) {
    if (!lib.workloads.includes(w)) continue;
    const task = { lib, workload: w, skip: null };
    let unavailable = null;
    if (lib.id === 'backprop' && !existsSync(BACKPROP_ENTRY)) {
      unavailable = 'library not built: run `npm ci` (or `npm run build`) in the repository root first';
    } else if (lib.kind === 'c' && !build.built.has(lib.binary)) {
      unavailable = build.gccVersion ? `build/${lib.binary} did not build` : 'gcc not found';
    } else if (lib.kind === 'openblas' && !build.built.has('gemm')) {
      unavailable = 'OpenBLAS not found (apt-get install libopenblas-dev)';
    }
    for (const sw of subWorkloads(w)) cell(lib.id, sw);
    if (unavailable) {
      for (const sw of subWorkloads(w)) cell(lib.id, sw).notAvailable = unavailable;
      continue;
    }
    tasks.push(task);
  }
}

// ---- one run -------------------------------------------------------------------------------
function runProcess(cmd, args, env) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(cmd, args, { cwd: BENCH_DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutSeconds * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: String(e), timedOut, wall: (Date.now() - t0) / 1000 });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, wall: (Date.now() - t0) / 1000 });
    });
  });
}

async function runTask(task) {
  const { lib, workload: w } = task;
  let r;
  if (lib.kind === 'js') {
    r = await runProcess(process.execPath, ['lib/child.mjs', lib.id, w, String(gemmSeconds)], {});
  } else if (lib.kind === 'c') {
    r = await runProcess(join(BUILD_DIR, lib.binary), [w, dataPath(w), String(WORKLOADS[w].evalRows)], {});
  } else {
    r = await runProcess(join(BUILD_DIR, 'gemm'), [String(gemmSeconds)], { OPENBLAS_NUM_THREADS: String(lib.threads) });
  }
  if (r.timedOut) return { dnf: true, wall: r.wall };
  const line = r.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (r.code !== 0 || !line) {
    const lines = r.stderr.trim().split('\n').filter(Boolean);
    const err = lines.find((l) => /^\w*Error\b|Error:/.test(l.trim()));
    const why = err?.trim() || lines.slice(-3).join(' / ') || `exit ${r.code ?? r.signal}`;
    return { error: why.slice(0, 400), wall: r.wall };
  }
  const res = JSON.parse(line.slice('BENCH_RESULT '.length));
  if (res.notAvailable) return { notAvailable: res.notAvailable, wall: r.wall };
  if (w === 'W4') {
    if (lib.kind === 'openblas' && res.threads !== lib.threads) {
      notes.push(`OpenBLAS reported ${res.threads} threads where ${lib.threads} were asked for.`);
    }
    return { parts: res.parts, peakRssMB: res.peakRssMB, info: res.info, wall: r.wall };
  }
  const judged = judge(w, res.outputs, targets[w].slice(0, res.outputs.length));
  return { seconds: res.seconds, peakRssMB: res.peakRssMB, judged, info: res.info, wall: r.wall };
}

// ---- the rounds: every library in turn, round after round ------------------------------------
const totalRounds = warmup + runs;
log(`bench: ${tasks.length} library×workload pairs, ${warmup} warm-up + ${runs} counted rounds, time limit ${timeoutSeconds} s a run`);
for (let round = 0; round < totalRounds; round++) {
  const counted = round >= warmup;
  const tag = counted ? `run ${round - warmup + 1}/${runs}` : `warm-up ${round + 1}/${warmup}`;
  for (const task of tasks) {
    if (task.skip) continue;
    const name = `${task.workload} ${task.lib.id}`;
    const res = await runTask(task);
    const subs = subWorkloads(task.workload);
    if (res.dnf) {
      log(`[${tag}] ${name}: did not finish within ${timeoutSeconds} s`);
      if (!counted) {
        task.skip = 'did not finish in the warm-up';
        for (const sw of subs) cell(task.lib.id, sw).dnf = Math.max(1, cell(task.lib.id, sw).dnf);
      } else {
        for (const sw of subs) cell(task.lib.id, sw).dnf++;
      }
      continue;
    }
    if (res.error) {
      log(`[${tag}] ${name}: error: ${res.error}`);
      for (const sw of subs) cell(task.lib.id, sw).errors.push(res.error);
      if (!counted) task.skip = 'failed in the warm-up';
      continue;
    }
    if (res.notAvailable) {
      log(`[${tag}] ${name}: not available: ${res.notAvailable}`);
      for (const sw of subs) cell(task.lib.id, sw).notAvailable = res.notAvailable;
      task.skip = 'not available';
      continue;
    }
    if (res.parts) {
      log(`[${tag}] ${name}: ${res.parts.map((p) => `${p.shape} ${p.gflops.toFixed(1)}`).join(', ')} GFLOP/s`);
      for (const p of res.parts) {
        const c = cell(task.lib.id, gemmWorkloadId(p.shape));
        if (res.info) c.info = res.info;
        if (counted) c.samples.push({ seconds: p.seconds, peakRssMB: res.peakRssMB });
      }
      continue;
    }
    log(`[${tag}] ${name}: ${res.seconds.toFixed(4)} s, ${res.peakRssMB?.toFixed(0)} MB, learned: ${res.judged.summary}`);
    if (res.info) cell(task.lib.id, task.workload).info = res.info;
    if (counted) cell(task.lib.id, task.workload).samples.push(res);
  }
}

// ---- report --------------------------------------------------------------------------------
const flopsOf = (sw) => {
  const s = WORKLOADS.W4.shapes.find((x) => gemmWorkloadId(x.name) === sw);
  return 2 * s.M * s.N * s.K;
};
meta.loadAverage.end = Number(os.loadavg()[0].toFixed(2));
meta.seconds = Math.round((Date.now() - Date.parse(meta.date)) / 1000);
const rows = buildRows(cells, flopsOf);
const md = renderMarkdown(meta, rows, notes);
const doc = { ...meta, notes, rows };

if (!opt['no-save']) {
  const dir = join(BENCH_DIR, 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = meta.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  writeFileSync(join(dir, `${stamp}.json`), JSON.stringify(doc, null, 2) + '\n');
  writeFileSync(join(dir, `${stamp}.md`), md + '\n');
  // latest.json: the rows of the last run (each row carries the run's date)
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(rows.map((r) => ({ ...r, date: meta.date })), null, 2) + '\n');
  writeFileSync(join(dir, 'latest.md'), md + '\n');
  log(`results: results/${stamp}.json, results/${stamp}.md, results/latest.json, results/latest.md`);
}
if (opt.json) {
  log(md);
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
} else {
  process.stdout.write(md + '\n');
}
