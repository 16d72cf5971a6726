// W4 timing shared by the JS adapters: for each shape, make(shape) prepares operands and returns
// a function doing one product; one to three untimed calls, then calls repeated until minSeconds have
// passed. Per-call seconds = total / count (the same rule as c/gemm.c).
import { performance } from 'node:perf_hooks';

export async function timeGemm(shapes, minSeconds, make) {
  const parts = [];
  for (const sh of shapes) {
    const once = await make(sh);
    // warm-up: one call, two more when calls are short (a 1024³ product can take seconds)
    const w0 = performance.now();
    await once();
    if ((performance.now() - w0) / 1000 < minSeconds / 10) for (let w = 0; w < 2; w++) await once();
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
