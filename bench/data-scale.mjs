// npm run bench:data — the data path at scale: `backprop train FILE --epochs 1 --json` against
// pandas.read_csv of the same file, side by side in one run, at 100,000, 1,000,000 and
// 10,000,000 rows (files made by gen.mjs: 20 features in [-1, 1], a 3-class label), and
// `--max-memory 200MB` at 1,000,000 rows (the disk cache; --no-max-memory skips it).
// Table: wall time, training time, peak RSS, rows per second, test accuracy, ratios to pandas.
// Results in results/data-<date>.{json,md} and results/data-latest.{json,md}.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli', 'main.js');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const sizes = option('--rows', '100000,1000000,10000000').split(',').map(Number);
const save = !args.includes('--no-save');
const python = option('--python', '/usr/bin/python3');
const folder = option('--dir', join(tmpdir(), 'backprop-bench-data'));
const TIME = '/usr/bin/time';

if (!existsSync(cli)) {
  console.error(`bench:data: ${cli} is missing: run npm ci (or npm run build) at the repository root first`);
  process.exit(1);
}
mkdirSync(folder, { recursive: true });

/** The generated file of `rows` rows (made once, kept in the folder). */
function dataFile(rows) {
  const file = join(folder, `gen-${rows}x20.csv`);
  if (!existsSync(file)) {
    process.stderr.write(`generating ${file}\n`);
    // gen.mjs writes to stdout: through the shell into the file (a temporary name until complete)
    execFileSync('sh', ['-c', `"${process.execPath}" "${join(here, 'gen.mjs')}" ${rows} 20 > "${file}.part" && mv "${file}.part" "${file}"`]);
  }
  return file;
}

/** Runs a command under /usr/bin/time: wall seconds, CPU seconds (user + system), peak RSS in MB, exit code, stdout. */
function measured(cmd, argv) {
  const t0 = performance.now();
  const r = spawnSync(TIME, ['-f', '%M %U %S', cmd, ...argv], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = (performance.now() - t0) / 1000;
  const lines = (r.stderr || '').trim().split('\n');
  const [kb, user, sys] = lines.at(-1).split(' ').map(Number);
  return { wall, cpu: user + sys, rss: kb / 1024, status: r.status, stdout: r.stdout, stderr: lines.slice(0, -1).join('\n') };
}

function hasPandas() {
  return spawnSync(python, ['-c', 'import pandas'], { encoding: 'utf8' }).status === 0;
}

function runBackprop(file, extra = []) {
  const m = measured(process.execPath, [cli, 'train', file, '--epochs', '1', '--json', '--quiet', ...extra]);
  if (m.status !== 0) return { error: m.stderr.split('\n').at(-1) || `exit ${m.status}`, wall: m.wall, rss: m.rss };
  const json = JSON.parse(m.stdout.trim().split('\n').at(-1));
  return { wall: m.wall, cpu: m.cpu, rss: m.rss, training: json.seconds, accuracy: json.testAccuracy };
}

function runPandas(file) {
  const code = 'import sys, time, pandas\nt = time.perf_counter()\nd = pandas.read_csv(sys.argv[1])\nprint(time.perf_counter() - t, len(d))';
  const m = measured(python, ['-c', code, file]);
  if (m.status !== 0) return { error: m.stderr.split('\n').at(-1) };
  const [read] = m.stdout.trim().split(/\s+/).map(Number);
  return { wall: m.wall, cpu: m.cpu, rss: m.rss, read };
}

const pandas = hasPandas();
const rows = [];
const load = [loadavg()[0]];
for (const n of sizes) {
  const file = dataFile(n);
  const mb = statSync(file).size / 1e6;
  process.stderr.write(`${n} rows (${mb.toFixed(0)} MB): backprop… `);
  const b = runBackprop(file);
  process.stderr.write(b.error ? `failed: ${b.error}\n` : `${b.wall.toFixed(1)} s, ${b.rss.toFixed(0)} MB; pandas… `);
  const p = pandas ? runPandas(file) : { error: 'pandas is not installed (Debian: apt-get install python3-pandas)' };
  process.stderr.write(p.error ? `${p.error}\n` : `${p.wall.toFixed(1)} s, ${p.rss.toFixed(0)} MB\n`);
  rows.push({ rows: n, fileMB: mb, run: 'defaults', backprop: b, pandas: p });
  load.push(loadavg()[0]);
}
// the disk-cache path: data over a 200 MB budget (skipped with --no-max-memory)
if (!args.includes('--no-max-memory')) {
  const file = dataFile(1_000_000);
  const b = runBackprop(file, ['--max-memory', '200MB']);
  rows.push({ rows: 1_000_000, fileMB: statSync(file).size / 1e6, run: '--max-memory 200MB', backprop: b, pandas: {} });
}

const f = (x, d = 2) => (x === undefined || x === null || Number.isNaN(x) ? '—' : x.toFixed(d));
const table = [
  '| rows | file | run | backprop wall (CPU) | of which training | peak RSS | rows/s | test accuracy | pandas: process wall (CPU), read_csv alone | pandas RSS | backprop wall / read_csv | CPU ratio | RSS ratio |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(({ rows: n, fileMB, run, backprop: b, pandas: p }) =>
    b.error
      ? `| ${n.toLocaleString('en')} | ${f(fileMB, 0)} MB | ${run} | failed: ${b.error} | | ${f(b.rss, 0)} MB | | | ${p.error ?? `${f(p.wall)} s (${f(p.cpu)} s), ${f(p.read)} s`} | ${f(p.rss, 0)} MB | | | |`
      : `| ${n.toLocaleString('en')} | ${f(fileMB, 0)} MB | ${run} | ${f(b.wall)} s (${f(b.cpu)} s) | ${f(b.training)} s | ${f(b.rss, 0)} MB | ${f(n / b.wall, 0)} | ${f(b.accuracy, 4)} | ` +
        `${p.error ?? (p.wall ? `${f(p.wall)} s (${f(p.cpu)} s), ${f(p.read)} s` : '—')} | ${p.rss ? `${f(p.rss, 0)} MB` : '—'} | ${p.read ? f(b.wall / p.read) + '×' : '—'} | ` +
        `${p.cpu ? f(b.cpu / p.cpu) + '×' : '—'} | ${p.rss ? f(b.rss / p.rss) + '×' : '—'} |`,
  ),
];
// growth exponents between the two largest sizes that both ran: time ∝ rows^k
const ok = rows.filter((r) => r.run === 'defaults' && !r.backprop.error);
const notes = [];
for (let i = 1; i < ok.length; i++) {
  const a = ok[i - 1];
  const b = ok[i];
  const k = (x, y) => Math.log(y / x) / Math.log(b.rows / a.rows);
  notes.push(`${a.rows.toLocaleString('en')} → ${b.rows.toLocaleString('en')} rows: wall time ∝ rows^${f(k(a.backprop.wall, b.backprop.wall))}, peak RSS ∝ rows^${f(k(a.backprop.rss, b.backprop.rss))}`);
}
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB; load average (1 min) ${load.map((x) => x.toFixed(1)).join(' → ')} during the run`;
const md = [`# bench:data — ${new Date().toISOString()}`, '', machine, '', ...table, '', ...notes.map((n) => `- ${n}`), ''].join('\n');
process.stdout.write(md);
if (save) {
  const dir = join(here, 'results');
  const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const json = JSON.stringify({ date: new Date().toISOString(), machine, rows, notes }, null, 2);
  for (const name of [`data-${stamp}`, 'data-latest']) {
    writeFileSync(join(dir, `${name}.json`), json + '\n');
    writeFileSync(join(dir, `${name}.md`), md);
  }
}
