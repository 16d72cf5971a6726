// One measured run of one JS library on one workload, in its own process:
//   node lib/child.mjs <library-id> <workload> [gemm-min-seconds]
// Prints one line "BENCH_RESULT {json}" on stdout: seconds (training only), peakRssMB, and the
// outputs of the first evalRows training rows (W1–W3) or the per-shape timings (W4).
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { mulberry32, readData } from './data.mjs';
import { WORKLOADS } from './workloads.mjs';
import { byId } from './libraries.mjs';

// Libraries that draw their initial weights from Math.random (brain.js, synaptic, ConvNetJS) get
// a seeded one, so every run starts from the same weights.
Math.random = mulberry32(12345);

const [libId, workloadId, gemmSecondsArg] = process.argv.slice(2);
const lib = byId[libId];
if (!lib || lib.kind !== 'js') throw new Error(`unknown JS library ${libId}`);
const spec = WORKLOADS[workloadId];
if (!spec) throw new Error(`unknown workload ${workloadId}`);

const adapter = await import(`../runners/${lib.runner}.mjs`);

function peakRssMB() {
  // VmHWM, the peak resident set of this process's own memory. Not resourceUsage().maxRSS: on
  // Linux that carries over the high-water mark of the forked copy of the parent from before
  // exec, so every child would report at least the parent's size.
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {}
  return process.resourceUsage().maxRSS / 1024; // elsewhere (kilobytes)
}

let emitted = Promise.resolve();
function emit(obj) {
  // stdout to a pipe is asynchronous: wait for the line to drain before process.exit below
  emitted = new Promise((resolve) => process.stdout.write(`BENCH_RESULT ${JSON.stringify(obj)}\n`, resolve));
}

if (workloadId === 'W4') {
  if (typeof adapter.gemm !== 'function') {
    emit({ notAvailable: adapter.gemmUnavailable ?? 'no matrix product to time' });
  } else {
    const parts = await adapter.gemm(spec.shapes, Number(gemmSecondsArg ?? 0.3), lib);
    if (parts === null) emit({ notAvailable: adapter.gemmUnavailable ?? 'no matrix product exported' });
    else emit({ parts, peakRssMB: peakRssMB(), info: adapter.gemmInfo?.(lib) });
  }
} else {
  const data = readData(workloadId);
  const model = await adapter.prepare(spec, data, lib); // build network, convert data: not timed
  const t0 = performance.now();
  await model.train();
  const seconds = (performance.now() - t0) / 1000;
  const rss = peakRssMB(); // peak of setup + training, before evaluation
  const outputs = await model.predict(data.rows(spec.evalRows));
  emit({ seconds, peakRssMB: rss, outputs, info: model.info });
}
// Some libraries keep handles open (TF.js wasm); the measurement is done.
await emitted;
process.exit(0);
