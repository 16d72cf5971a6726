// Turns the runs' samples into rows (the shape of results/latest.json) and renders Markdown.
import { WORKLOADS, TRAINING_WORKLOADS, gemmWorkloadId } from './workloads.mjs';
import { LIBRARIES, LIMIT_FOR, byId } from './libraries.mjs';

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * cells: Map key `${libId}|${workload}` → { libId, workload, samples: [...], dnf, errors: [], notAvailable, skipped }
 * Returns rows sorted by workload, then the LIBRARIES order.
 */
export function buildRows(cells, flopsOf) {
  const rows = [];
  for (const cell of cells.values()) {
    const lib = byId[cell.libId];
    const row = { library: lib.library, backend: lib.backend, workload: cell.workload, libraryId: lib.id };
    const s = cell.samples;
    if (s.length) {
      const secs = s.map((x) => x.seconds);
      row.medianSeconds = median(secs);
      row.minSeconds = Math.min(...secs);
      row.maxSeconds = Math.max(...secs);
      const rss = s.map((x) => x.peakRssMB).filter((x) => x != null);
      row.peakRssMB = rss.length ? Math.max(...rss) : null;
      if (cell.workload.startsWith('W4')) {
        row.converged = null;
        row.gflops = flopsOf(cell.workload) / row.medianSeconds / 1e9;
      } else {
        const ok = s.filter((x) => x.judged.converged).length;
        row.converged = ok === s.length;
        row.learned = ok === s.length || ok === 0 ? s[0].judged.summary : `${ok}/${s.length} runs: ${s[0].judged.summary}`;
        if (s[0].judged.accuracy != null) row.accuracy = s[0].judged.accuracy;
      }
      row.runs = s.length;
      row.status = 'ok';
    } else {
      row.medianSeconds = row.minSeconds = row.maxSeconds = row.peakRssMB = null;
      row.converged = cell.workload.startsWith('W4') ? null : false;
      row.runs = 0;
      row.status = cell.notAvailable ? 'not available' : cell.dnf ? 'did not finish' : cell.errors.length ? 'error' : 'not run';
    }
    if (cell.info) row.info = cell.info;
    if (cell.dnf) row.didNotFinish = cell.dnf;
    if (cell.notAvailable) row.note = cell.notAvailable;
    else if (cell.errors.length) row.note = cell.errors[0];
    rows.push(row);
  }
  const order = (r) => {
    const w = r.workload.startsWith('W4') ? 3 + WORKLOADS.W4.shapes.findIndex((x) => gemmWorkloadId(x.name) === r.workload) / 10 : TRAINING_WORKLOADS.indexOf(r.workload);
    return w * 100 + LIBRARIES.findIndex((l) => l.id === r.libraryId);
  };
  rows.sort((a, b) => order(a) - order(b));
  // ratios: this row's median time ÷ backprop's, and ÷ the workload's limit line
  for (const r of rows) {
    const base = r.workload.startsWith('W4') ? 'W4' : r.workload;
    const bp = rows.find((x) => x.libraryId === 'backprop' && x.workload === r.workload && x.medianSeconds);
    const lim = rows.find((x) => x.libraryId === LIMIT_FOR[base] && x.workload === r.workload && x.medianSeconds);
    r.ratioToBackprop = bp && r.medianSeconds ? r.medianSeconds / bp.medianSeconds : null;
    r.ratioToLimit = lim && r.medianSeconds ? r.medianSeconds / lim.medianSeconds : null;
  }
  return rows;
}

function fmtSec(s) {
  if (s == null) return '—';
  if (s >= 100) return s.toFixed(0);
  if (s >= 10) return s.toFixed(1);
  if (s >= 1) return s.toFixed(2);
  return s.toPrecision(2);
}
function fmtTime(s) {
  if (s == null) return '—';
  if (s < 1e-3) return `${(s * 1e6).toPrecision(3)} µs`;
  if (s < 1) return `${(s * 1e3).toPrecision(3)} ms`;
  return `${s.toPrecision(3)} s`;
}
function fmtRatio(x) {
  if (x == null) return '—';
  return x >= 10 ? `${x.toFixed(0)}×` : `${x.toFixed(2)}×`;
}
const fmtMB = (x) => (x == null ? '—' : x.toFixed(0));
const label = (r) => (r.libraryId === 'backprop' ? '**backprop**' : r.library);

function statusCell(r, meta) {
  if (r.status === 'did not finish') return `did not finish (> ${meta.options.timeoutSeconds} s)`;
  if (r.status === 'not available') return 'not available';
  if (r.status === 'error') return 'error';
  return '—';
}

export function renderMarkdown(meta, rows, notes) {
  const out = [];
  const v = meta.versions;
  out.push(`# backprop benchmark, ${meta.date}`);
  out.push('');
  out.push(
    `- Machine: ${meta.cpu}, ${meta.cores} cores, ${meta.memoryGB} GB, ${meta.os}; load average ${meta.loadAverage.start} at the start, ${meta.loadAverage.end} at the end (${Math.round(meta.seconds / 60)} minutes)`,
  );
  out.push(`- Node ${meta.node}; gcc ${meta.gcc ?? 'not found'} (${meta.cflags}); ${meta.openblas ?? 'OpenBLAS not found'}`);
  out.push(`- Versions: ${Object.entries(v).map(([k, x]) => `${k} ${x}`).join(', ')}`);
  out.push(
    `- Runs: ${meta.options.warmup} warm-up round${meta.options.warmup === 1 ? '' : 's'} + ${meta.options.runs} counted, interleaved (each library in turn, round after round), each run its own process; time limit ${meta.options.timeoutSeconds} s a run (a library that exceeds it in the warm-up is not run again on that workload).${meta.options.filters ? ` Filters: ${meta.options.filters}.` : ''}`,
  );
  out.push('- Times are training only (performance.now around the train/fit call; clock_gettime in C), in seconds; peak RSS is the process maximum (whole process, data set included), highest over the counted runs.');
  out.push("- × backprop: this row's median time ÷ backprop's (above 1 means slower than backprop). × limit: ÷ the limit line's (C float64 for W1/W2, C float32 for W3, OpenBLAS one thread for W4).");
  for (const n of notes) out.push(`- ${n}`);
  out.push('');

  for (const w of TRAINING_WORKLOADS) {
    const rs = rows.filter((r) => r.workload === w);
    if (!rs.length) continue;
    const spec = WORKLOADS[w];
    out.push(`## ${spec.title}`);
    out.push('');
    out.push('| library | backend | median s | min s | max s | peak RSS MB | learned | × backprop | × limit |');
    out.push('|---|---|---:|---:|---:|---:|---|---:|---:|');
    for (const r of rs) {
      if (r.status === 'ok') {
        out.push(
          `| ${label(r)} | ${r.backend} | ${fmtSec(r.medianSeconds)} | ${fmtSec(r.minSeconds)} | ${fmtSec(r.maxSeconds)} | ${fmtMB(r.peakRssMB)} | ${r.learned}${r.didNotFinish ? ` (${r.didNotFinish} runs did not finish)` : ''} | ${fmtRatio(r.ratioToBackprop)} | ${fmtRatio(r.ratioToLimit)} |`,
        );
      } else {
        out.push(`| ${label(r)} | ${r.backend} | ${statusCell(r, meta)} | | | | ${r.status === 'did not finish' ? 'did not finish' : r.note ?? ''} | | |`);
      }
    }
    out.push('');
    const libNotes = libraryNotes(rs, w);
    if (libNotes.length) {
      for (const n of libNotes) out.push(`- ${n}`);
      out.push('');
    }
  }

  const g = rows.filter((r) => r.workload.startsWith('W4'));
  if (g.length) {
    out.push(`## ${WORKLOADS.W4.title}`);
    out.push('');
    out.push('| library | backend | product | GFLOP/s | median | min | max | peak RSS MB | × backprop | × limit |');
    out.push('|---|---|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const shape of WORKLOADS.W4.shapes) {
      for (const r of g.filter((x) => x.workload === gemmWorkloadId(shape.name))) {
        if (r.status === 'ok') {
          out.push(
            `| ${label(r)} | ${r.backend} | ${shape.label} | ${r.gflops.toFixed(1)} | ${fmtTime(r.medianSeconds)} | ${fmtTime(r.minSeconds)} | ${fmtTime(r.maxSeconds)} | ${fmtMB(r.peakRssMB)} | ${fmtRatio(r.ratioToBackprop)} | ${fmtRatio(r.ratioToLimit)} |`,
          );
        } else {
          out.push(`| ${label(r)} | ${r.backend} | ${shape.label} | ${statusCell(r, meta)} | | | | | ${r.note ?? ''} | |`);
        }
      }
    }
    out.push('');
    out.push('- Per-call time of one product (operands already in place), repeated until 0.3 s have passed in each run; GFLOP/s = 2·M·N·K ÷ median time.');
    for (const n of libraryNotes(g, 'W4')) out.push(`- ${n}`);
    out.push('');
  }
  return out.join('\n');
}

function libraryNotes(rs, w) {
  const seen = new Set();
  const notes = [];
  for (const r of rs) {
    const lib = byId[r.libraryId];
    if (seen.has(lib.id)) continue;
    seen.add(lib.id);
    const name = `${lib.library}${lib.backend && lib.library === 'tfjs' ? ` ${lib.backend}` : ''}`;
    if (w !== 'W4' && lib.notes.all) notes.push(`${name}: ${lib.notes.all}`);
    if (lib.notes[w]) notes.push(`${name} (${w}): ${lib.notes[w]}`);
    if (r.info && lib.id === 'backprop') notes.push(`${name} (${w}): ${r.info}.`);
  }
  return notes;
}
