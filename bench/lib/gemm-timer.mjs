// W4 timing shared by the JS adapters: for each shape, make(shape) prepares operands and returns
// a function doing one product; untimed calls for minSeconds / 10 (at least one), then calls
// repeated until minSeconds have passed. Per-call seconds = total / count (the same rule as c/gemm.c).
import { performance } from 'node:perf_hooks';

export async function timeGemm(shapes, minSeconds, make) {
  const parts = [];
  for (const sh of shapes) {
    const once = await make(sh);
    // warm-up: calls for a tenth of the timed period, at least one (a 1024³ product can take
    // seconds): time for V8 to replace a WebAssembly function's first, quickly compiled code
    // (Liftoff, several times slower) by its optimised code, compiled in the background
    const w0 = performance.now();
    do await once();
    while ((performance.now() - w0) / 1000 < minSeconds / 10);
    let reps = 0;
    const t0 = performance.now();
    let t;
    do {
      await once();
      reps++;
      t = (performance.now() - t0) / 1000;
    } while (t < minSeconds);
    const seconds = t / reps;
    parts.push({ shape: sh.name, seconds, gflops: (2 * sh.M * sh.N * sh.K) / seconds / 1e9, reps });
  }
  return parts;
}
