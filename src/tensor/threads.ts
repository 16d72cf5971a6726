// Threads for the float32 matrix products: helper workers that run a second instance of the
// WebAssembly kernels (assembly/gemm.ts) on the same shared memory as the calling thread.
//
// A large product is cut into parts along the rows or the columns of C. The calling thread and the
// helpers claim parts from one shared counter until none are left, so a helper that is late (not
// started yet, descheduled by a busy machine) costs nothing: the caller computes its parts. Each
// element of C goes through the same operations whichever thread computes it, so the result is
// the single-thread result bit for bit.
//
// Nothing here needs Node: workers come from a factory. In a browser that is `Worker` on a blob
// URL, where the page is cross-origin isolated (SharedArrayBuffer available); in Node the entry
// `backprop` (package.json's "node" condition, node/threads.ts) supplies one built on
// worker_threads. Without a factory, or with setThreads(1), every product runs on one thread.

import { check } from '../errors.js';
import { warnOnce } from '../warnings.js';

/** A started worker, as far as the products need one. */
export interface WorkerHandle {
  postMessage(message: unknown): void;
  terminate(): void;
}

/**
 * Starts a worker that evaluates `source`, a classic script defining a function `backpropHelper`,
 * and calls `backpropHelper(message)` with the first message posted to it.
 */
export type WorkerFactory = (source: string) => WorkerHandle;

/** Control block of the shared counter (Int32Array over a SharedArrayBuffer). */
const TICKET = 0; // (job << 16) | (parts << 8) | next part to claim
const FINISHED = 1; // parts finished in the current job
const READY = 2; // helpers started
const FAILED = 3; // helpers that could not start
const SPIN_US = 4; // how long an idle helper polls before it sleeps, in microseconds
const ERRORS = 5; // parts that threw in a helper
const DIED = 6; // helpers that stopped
const EXIT_CODE = 7; // the exit code of the last one that stopped
const P = 8; // the product: m n k a lda transA b ldb transB c ldc alpha beta rows step scratch scratchBytes
const STATE = P + 17; // per helper: IDLE, BUSY (computing a part) or GONE
const IDLE = 0;
const BUSY = 1;
const GONE = 2;
const MAX_HELPERS = 63;
const CONTROL_INTS = STATE + MAX_HELPERS;

/**
 * The helper's script. It computes the part it claims exactly as GemmPool.run does on the
 * calling thread (the same offsets); it polls for a while after each job (products come in quick
 * succession in training), then sleeps in Atomics.wait until the next job is posted.
 */
const HELPER_SOURCE = `
function backpropHelper({ module, memory, control, index }) {
  const c = control, f = new Float32Array(c.buffer);
  let x;
  try {
    x = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('wasm abort'); } } }).exports;
  } catch (e) {
    Atomics.add(c, ${FAILED}, 1);
    return;
  }
  Atomics.add(c, ${READY}, 1);
  // a helper that stops (process.exit() in a Node worker, an uncaught error) says so, so that the
  // calling thread does not wait for a part it will never finish
  const gone = (code) => {
    if (Atomics.load(c, ${STATE} + index) === ${GONE}) return;
    Atomics.store(c, ${EXIT_CODE}, typeof code === 'number' ? code : -1);
    Atomics.store(c, ${STATE} + index, ${GONE});
    Atomics.add(c, ${DIED}, 1);
    Atomics.notify(c, ${FINISHED});
  };
  if (typeof process === 'object' && process && typeof process.on === 'function') process.on('exit', gone);
  try {
    loop(c, f, x, index);
  } catch (e) {
    gone(-1);
    throw e;
  }
}

function loop(c, f, x, index) {
  const clock = typeof performance === 'object' ? () => performance.now() : () => Date.now();
  for (;;) {
    const t = Atomics.load(c, ${TICKET});
    if ((t & 255) >= ((t >> 8) & 255)) {
      const until = clock() + c[${SPIN_US}] / 1000;
      let u = t;
      for (let i = 1; u === t; i++) {
        u = Atomics.load(c, ${TICKET});
        if ((i & 255) === 0 && clock() > until) break;
      }
      if (u === t) Atomics.wait(c, ${TICKET}, t);
      continue;
    }
    const m = c[${P}], n = c[${P + 1}], k = c[${P + 2}], a = c[${P + 3}], lda = c[${P + 4}], ta = c[${P + 5}];
    const b = c[${P + 6}], ldb = c[${P + 7}], tb = c[${P + 8}], cc = c[${P + 9}], ldc = c[${P + 10}];
    const alpha = f[${P + 11}], beta = f[${P + 12}], rows = c[${P + 13}], step = c[${P + 14}];
    const scratch = c[${P + 15}] + (index + 1) * c[${P + 16}];
    Atomics.store(c, ${STATE} + index, ${BUSY});
    if (Atomics.compareExchange(c, ${TICKET}, t, t + 1) !== t) {
      Atomics.store(c, ${STATE} + index, ${IDLE});
      continue;
    }
    const o = (t & 255) * step;
    try {
      if (rows) x.gemm(Math.min(step, m - o), n, k, a + (ta ? o : o * lda) * 4, lda, ta, b, ldb, tb, cc + o * ldc * 4, ldc, alpha, beta, scratch);
      else x.gemm(m, Math.min(step, n - o), k, a, lda, ta, b + (tb ? o * ldb : o) * 4, ldb, tb, cc + o * 4, ldc, alpha, beta, scratch);
    } catch (e) {
      Atomics.add(c, ${ERRORS}, 1);
    }
    Atomics.store(c, ${STATE} + index, ${IDLE});
    Atomics.add(c, ${FINISHED}, 1);
    Atomics.notify(c, ${FINISHED});
  }
}
`;

/** The kernel exports a pool drives (see src/tensor/wasm.ts). */
export interface GemmExports {
  gemm(m: number, n: number, k: number, a: number, lda: number, ta: number, b: number, ldb: number, tb: number, c: number, ldc: number, alpha: number, beta: number, scratch: number): void;
}

/** How a product is cut: `parts` blocks of `step` rows (rows) or columns of C. */
export interface Split {
  rows: boolean;
  step: number;
  parts: number;
}

// ---- settings ----------------------------------------------------------------------------------

let factory: WorkerFactory | null | undefined; // undefined: the browser default, where there is one
let cores = 0; // 0: ask navigator.hardwareConcurrency
let requested: number | 'auto' = 'auto';
let generation = 0; // bumped by every change of settings, so the kernels re-plan

/** Threads used by `auto`: both cores of a dual-core machine; more must be asked for. */
const AUTO_MAX = 2;

/**
 * Sets how many threads the float32 matrix products may use: 1 turns the helpers off, 'auto'
 * (the default) uses two where the machine has at least two cores and workers can be started.
 */
export function setThreads(n: number | 'auto'): void {
  check(n === 'auto' || (Number.isInteger(n) && n >= 1 && n <= 64), `threads must be 'auto' or a whole number from 1 to 64, got ${String(n)}`);
  requested = n;
  generation++;
}

/**
 * Supplies the way to start workers (null: none, one thread). `coreCount` is the number of cores
 * the process may use, where navigator.hardwareConcurrency does not say (Node 20).
 */
export function setWorkerFactory(f: WorkerFactory | null, coreCount?: number): void {
  factory = f;
  if (coreCount !== undefined) cores = coreCount;
  generation++;
}

/** The settings' version: changes whenever setThreads or setWorkerFactory is called. */
export function threadSettingsVersion(): number {
  return generation;
}

/** Threads the products will use: 1, or the helpers plus the calling thread. */
export function threadCount(): number {
  const f = currentFactory();
  if (!f || typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return 1;
  if (requested !== 'auto') return requested;
  const c = cores || (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency || 1;
  return Math.max(1, Math.min(AUTO_MAX, c));
}

/** The factory in force: the one set, or the browser's where it has one. */
export function currentFactory(): WorkerFactory | null {
  if (factory !== undefined) return factory;
  if (browser === undefined) browser = browserFactory();
  return browser;
}
let browser: WorkerFactory | null | undefined;

/** Workers from a blob URL, in a cross-origin isolated page or worker (null elsewhere). */
function browserFactory(): WorkerFactory | null {
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: typeof Worker; Blob?: typeof Blob; URL?: typeof URL };
  if (g.crossOriginIsolated !== true || typeof g.Worker !== 'function' || typeof g.Blob !== 'function' || typeof g.URL?.createObjectURL !== 'function') return null;
  return (source) => {
    const glue = '\nself.onmessage = (e) => { self.onmessage = null; backpropHelper(e.data); };\n';
    const url = URL.createObjectURL(new Blob([source, glue], { type: 'text/javascript' }));
    const w = new Worker(url);
    w.onerror = () => {}; // a helper that cannot start never reports ready: its parts run here
    return w;
  };
}

// ---- the pool ----------------------------------------------------------------------------------

/** Whether this thread may block in Atomics.wait (a browser's main thread may not). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** How long the calling thread polls for the helpers' last parts before it sleeps, in ms. */
const CALLER_SPIN_MS = 2;

/** Helper workers on the kernels' shared memory; run() computes one product with them. */
export class GemmPool {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_INTS * 4));
  private readonly floats = new Float32Array(this.control.buffer);
  private readonly workers: WorkerHandle[] = [];
  private readonly block = canBlock();
  private job = 0;
  private broken = false;

  /** Starts `helpers` workers (asynchronously: until they are up, products run on this thread). */
  constructor(
    private readonly x: GemmExports,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    helpers: number,
    make: WorkerFactory,
  ) {
    for (let index = 0; index < Math.min(helpers, MAX_HELPERS); index++) {
      try {
        const w = make(HELPER_SOURCE);
        w.postMessage({ module, memory, control: this.control, index });
        this.workers.push(w);
      } catch {
        break; // no more workers: the ones started will do
      }
    }
  }

  /** Helpers that have started and can take parts. */
  ready(): number {
    return this.broken ? 0 : Atomics.load(this.control, READY);
  }

  /** How long an idle helper polls for the next job before it sleeps, in microseconds. */
  set helperSpinMicroseconds(us: number) {
    this.control[SPIN_US] = us;
  }

  /** Whether every helper has started or failed to. */
  settled(): boolean {
    return this.broken || Atomics.load(this.control, READY) + Atomics.load(this.control, FAILED) >= this.workers.length;
  }

  /** Helpers asked for (started or starting). */
  size(): number {
    return this.workers.length;
  }

  /**
   * C = alpha · op(A) · op(B) + beta · C (addresses in the shared memory) in `split.parts` parts,
   * claimed by this thread and the helpers. `scratch` is this thread's packing space; helper i
   * uses the `scratchBytes` after it times i + 1. Returns false, with C partly computed, if a part
   * failed in a helper (the caller then computes the product again on its own).
   */
  run(
    split: Split,
    m: number, n: number, k: number,
    a: number, lda: number, ta: number,
    b: number, ldb: number, tb: number,
    c: number, ldc: number, alpha: number, beta: number,
    scratch: number, scratchBytes: number,
  ): boolean {
    const ctl = this.control;
    const f = this.floats;
    ctl[P] = m; ctl[P + 1] = n; ctl[P + 2] = k;
    ctl[P + 3] = a; ctl[P + 4] = lda; ctl[P + 5] = ta;
    ctl[P + 6] = b; ctl[P + 7] = ldb; ctl[P + 8] = tb;
    ctl[P + 9] = c; ctl[P + 10] = ldc;
    f[P + 11] = alpha; f[P + 12] = beta;
    ctl[P + 13] = split.rows ? 1 : 0; ctl[P + 14] = split.step;
    ctl[P + 15] = scratch; ctl[P + 16] = scratchBytes;
    const errors = Atomics.load(ctl, ERRORS);
    this.job = (this.job + 1) & 0x7fff;
    Atomics.store(ctl, FINISHED, 0);
    Atomics.store(ctl, TICKET, (this.job << 16) | (split.parts << 8));
    Atomics.notify(ctl, TICKET);
    // claim parts until none are left
    for (;;) {
      const t = Atomics.load(ctl, TICKET);
      if ((t & 255) >= split.parts) break;
      if (Atomics.compareExchange(ctl, TICKET, t, t + 1) !== t) continue;
      const o = (t & 255) * split.step;
      if (split.rows) this.x.gemm(Math.min(split.step, m - o), n, k, a + (ta ? o : o * lda) * 4, lda, ta, b, ldb, tb, c + o * ldc * 4, ldc, alpha, beta, scratch);
      else this.x.gemm(m, Math.min(split.step, n - o), k, a, lda, ta, b + (tb ? o * ldb : o) * 4, ldb, tb, c + o * 4, ldc, alpha, beta, scratch);
      Atomics.add(ctl, FINISHED, 1);
    }
    // wait for the parts the helpers took: poll a little, then sleep where this thread may
    const clock = typeof performance === 'object' ? () => performance.now() : () => Date.now();
    let until = 0;
    for (let i = 1, done; (done = Atomics.load(ctl, FINISHED)) !== split.parts; i++) {
      if ((i & 255) !== 0) continue;
      if (Atomics.load(ctl, DIED) !== 0) return this.lost();
      if (until === 0) until = clock() + CALLER_SPIN_MS;
      else if (this.block && clock() > until) Atomics.wait(ctl, FINISHED, done, 10);
    }
    if (Atomics.load(ctl, ERRORS) !== errors) return this.lost();
    return true;
  }

  /**
   * A helper stopped or failed: the pool is not used again. Waits until no helper is still in a
   * part (one writing into C while the caller computes the product again would change its bits),
   * says once that a helper stopped, and returns false: the caller computes the product alone.
   */
  private lost(): false {
    this.broken = true;
    const ctl = this.control;
    for (let h = 0; h < this.workers.length; h++) {
      while (Atomics.load(ctl, STATE + h) === BUSY) if (this.block) Atomics.wait(ctl, STATE + h, BUSY, 1);
    }
    if (Atomics.load(ctl, DIED) !== 0) {
      const code = Atomics.load(ctl, EXIT_CODE);
      warnOnce(`a helper thread of the float32 products stopped (${code === -1 ? 'it failed' : `exit code ${code}`}): the products go on on one thread`);
    }
    return false;
  }

  /** Stops the helpers. */
  close(): void {
    this.broken = true;
    for (const w of this.workers) {
      try {
        w.terminate();
      } catch {
        // already gone
      }
    }
    this.workers.length = 0;
  }
}
