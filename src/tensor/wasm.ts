import { KERNELS_WASM, KERNELS_WASM_SHARED } from './kernels-wasm.js';
import { currentFactory, GemmPool, threadCount, threadSettingsVersion, type Split, type WorkerFactory } from './threads.js';

/** The WebAssembly SIMD kernels (assembly/gemm.ts), float32, working on copies in their own memory. */
export interface WasmKernels {
  /** C = alpha · op(A) · op(B) + beta · C; lda, ldb are the stored column counts of A and B. */
  gemm(
    m: number, n: number, k: number,
    a: Float32Array, lda: number, transA: boolean,
    b: Float32Array, ldb: number, transB: boolean,
    c: Float32Array, alpha: number, beta: number,
  ): void;
  /** Threads a product large enough to split runs on now (1 until the helpers have started). */
  readonly threads: number;
}

interface Exports {
  memory: WebAssembly.Memory;
  scratchBytes(): number;
  gemm(m: number, n: number, k: number, a: number, lda: number, ta: number, b: number, ldb: number, tb: number, c: number, ldc: number, alpha: number, beta: number, scratch: number): void;
}

/** Rows and columns of the kernel's micro-tile (assembly/gemm.ts): parts are cut at multiples. */
const MR = 5;
const NR = 8;

/**
 * When a product is split between threads (see splitProduct). Measured on a 2-core Zen 4 with
 * Node 20, products with 0.5 ms of other work between them (as in training): 2·10⁶
 * multiply-adds (m·n·k) break even, 4·10⁶ gain about 1.2×, the 1.3·10⁷ of 64×784·784×256
 * about 1.5× (back to back: 1.4×, 1.4× and 1.6×). Waking a sleeping helper takes 30–60 µs, so
 * an idle helper polls for a millisecond first.
 */
const tuning = {
  /** m·n·k from which a product is split. */
  minWork: 1 << 22,
  /** m·n·k each part must have at least. */
  minPartWork: 1 << 21,
  /** parts per thread (more parts balance a busy machine better but repack more: 1 was fastest). */
  partsPerThread: 1,
  /** false: split whenever splitProduct says so, without timing both ways (SplitChooser). */
  adaptive: true,
  /** how long an idle helper polls for the next product before it sleeps (µs) */
  helperSpinUs: 1000,
};

/** Changes when products are split (for tests and measurements); returns the previous values. */
export function tuneThreads(t: Partial<typeof tuning>): typeof tuning {
  const old = { ...tuning };
  Object.assign(tuning, t);
  return old;
}

/**
 * How C (m×n) is cut into parts for `threads` threads, or null to run on one thread. Along the
 * longer side: cutting columns has every part pack all of A again, cutting rows all of B.
 */
export function splitProduct(m: number, n: number, k: number, threads: number): Split | null {
  const work = m * n * k;
  if (threads < 2 || work < tuning.minWork) return null;
  const rows = m > n;
  const len = rows ? m : n;
  const unit = rows ? MR : NR;
  const most = Math.min(255, Math.floor(len / unit), Math.floor(work / tuning.minPartWork), threads * tuning.partsPerThread);
  if (most < 2) return null;
  const step = Math.ceil(len / most / unit) * unit;
  return { rows, step, parts: Math.ceil(len / step) };
}

let disabled = false;
let engine: Engine | null | undefined;
let engineSettings = -1;

/** Turns the WebAssembly kernels off (true) or back on, e.g. to compare backends. */
export function disableWasm(off = true): void {
  disabled = off;
}

/** The kernels, or null where WebAssembly SIMD is unavailable (then the JavaScript loops run). */
export function wasmKernels(): WasmKernels | null {
  if (disabled) return null;
  const settings = threadSettingsVersion();
  if (engine === undefined || settings !== engineSettings) {
    engine = choose(engine);
    engineSettings = settings;
  }
  return engine;
}

/**
 * Resolves when the helper threads have started (or after `timeoutMs`), with the number of
 * threads products can use. Products do not wait for them: until they are up, they run on the
 * calling thread. Awaiting this first keeps the start-up out of a timing.
 */
export async function threadsReady(timeoutMs = 5000): Promise<number> {
  const k = wasmKernels();
  if (!(k instanceof Engine)) return 1;
  k.startHelpers();
  const until = Date.now() + timeoutMs;
  while (!k.helpersSettled() && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
  return k.threads;
}

/** The engine for the current thread settings: a shared memory and helpers, or one thread. */
function choose(old: Engine | null | undefined): Engine | null {
  const wanted = threadCount();
  if (old && old.wanted === wanted && (wanted === 1 || old.factory === currentFactory())) return old;
  if (wanted > 1) {
    old?.close();
    const shared = Engine.shared(wanted);
    if (shared) return shared;
  }
  if (old) {
    old.close();
    if (!old.isShared) return old;
  }
  return Engine.single();
}

const now = typeof performance === 'object' ? () => performance.now() : () => Date.now();

/**
 * Whether splitting pays, learnt per shape from the products' own times. On an idle machine two
 * threads win from the size splitProduct asks for; on a machine busier than its cores (other
 * processes, a throttled browser worker) the helpers wait for a core and the caller waits for
 * them, and one thread wins. The bits are the same either way, so the choice is free to follow
 * the clock: each shape runs both ways, alternately, until each way has TRIALS times, then the
 * faster way (split within SPLIT_MARGIN counts as faster), with one product in EXPLORE_EVERY run
 * the other way to notice a change. A way's time is the least of its last WINDOW: the first
 * products of a fresh module run before V8 has optimised it (5–10 times slower), and a
 * preempted product is slow once; neither should count. (A running mean did count them: the
 * first X·W products, timed in V8's quick tier, kept whole runs on one thread.)
 */
export class SplitChooser {
  private readonly stats = new Map<string, { one: number[]; two: number[]; calls: number }>();

  /** Whether the next product of this shape should be split. */
  split(key: string): boolean {
    let s = this.stats.get(key);
    if (!s) {
      if (this.stats.size >= 256) this.stats.clear(); // many shapes: start learning again
      s = { one: [], two: [], calls: 0 };
      this.stats.set(key, s);
    }
    s.calls++;
    if (s.two.length < TRIALS || s.one.length < TRIALS) return s.two.length <= s.one.length;
    const faster = Math.min(...s.two) <= SPLIT_MARGIN * Math.min(...s.one);
    return s.calls % EXPLORE_EVERY === 0 ? !faster : faster;
  }

  /** The time of a product of this shape, split or not. */
  record(key: string, split: boolean, ms: number): void {
    const s = this.stats.get(key);
    if (!s) return;
    const times = split ? s.two : s.one;
    times.push(ms);
    if (times.length > WINDOW) times.shift();
  }
}
const TRIALS = 3;
const WINDOW = 4;
const EXPLORE_EVERY = 32;
/** Split unless it is clearly slower (timings on a shared machine are noisy; idle, it wins). */
const SPLIT_MARGIN = 1.1;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}

const imports = (memory?: WebAssembly.Memory) => ({ env: { abort: () => { throw new Error('wasm abort'); }, ...(memory ? { memory } : {}) } });

class Engine implements WasmKernels {
  private heap: Float32Array;
  private readonly scratch: number;
  private pool: GemmPool | null = null;
  private readonly chooser = new SplitChooser();

  private constructor(
    private readonly x: Exports,
    private readonly memory: WebAssembly.Memory,
    /** Threads asked for (the pool's helpers plus this one). */
    readonly wanted: number,
    private readonly module: WebAssembly.Module | null,
    readonly factory: WorkerFactory | null,
  ) {
    this.heap = new Float32Array(memory.buffer);
    this.scratch = x.scratchBytes();
  }

  /** One thread, the kernels in their own memory; null without WebAssembly SIMD. */
  static single(): Engine | null {
    try {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(decode(KERNELS_WASM)), imports());
      const x = instance.exports as unknown as Exports;
      return new Engine(x, x.memory, 1, null, null);
    } catch {
      return null; // no WebAssembly, or no SIMD: the JavaScript kernels are used
    }
  }

  /** The kernels on a shared memory, for `wanted` threads; null where that cannot be built. */
  static shared(wanted: number): Engine | null {
    const factory = currentFactory();
    if (!factory) return null;
    try {
      const module = new WebAssembly.Module(decode(KERNELS_WASM_SHARED));
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
      const x = new WebAssembly.Instance(module, imports(memory)).exports as unknown as Exports;
      return new Engine(x, memory, wanted, module, factory);
    } catch {
      return null; // no shared memory or no threads in this engine: one thread
    }
  }

  get isShared(): boolean {
    return this.module !== null;
  }

  get threads(): number {
    return this.pool ? 1 + this.pool.ready() : 1;
  }

  /** Starts the helpers (once): products are split when they have started. */
  startHelpers(): void {
    if (this.pool || !this.module || !this.factory || this.wanted < 2) return;
    this.pool = new GemmPool(this.x, this.module, this.memory, this.wanted - 1, this.factory);
  }

  /** Whether every helper has started or failed to (true without helpers). */
  helpersSettled(): boolean {
    return this.pool ? this.pool.settled() : true;
  }

  close(): void {
    this.pool?.close();
    this.pool = null;
  }

  private ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / 65536));
    if (this.heap.buffer !== this.memory.buffer || this.heap.byteLength !== this.memory.buffer.byteLength) {
      this.heap = new Float32Array(this.memory.buffer);
    }
  }

  gemm(
    m: number, n: number, k: number,
    a: Float32Array, lda: number, transA: boolean,
    b: Float32Array, ldb: number, transB: boolean,
    c: Float32Array, alpha: number, beta: number,
  ): void {
    let split: Split | null = null;
    if (this.wanted > 1) {
      split = splitProduct(m, n, k, this.wanted);
      if (split && !this.pool) this.startHelpers();
      if (split && this.threads < 2) split = null; // helpers not up yet
    }
    const key = split ? `${m},${n},${k},${transA ? 1 : 0}${transB ? 1 : 0}` : '';
    if (split && tuning.adaptive && !this.chooser.split(key)) split = null;
    // layout: A | B | C | scratch (one per thread), each 16-byte aligned
    const align = (v: number) => (v + 3) & ~3;
    const pa = 0;
    const pb = pa + align(a.length);
    const pc = pb + align(b.length);
    const ps = pc + align(c.length);
    const regions = split && this.pool ? 1 + this.pool.size() : 1;
    this.ensure(ps * 4 + regions * this.scratch);
    const heap = this.heap;
    heap.set(a, pa);
    heap.set(b, pb);
    if (beta !== 0) heap.set(c, pc);
    const ta = transA ? 1 : 0;
    const tb = transB ? 1 : 0;
    const start = key ? now() : 0;
    let done = false;
    if (split && this.pool) {
      this.pool.helperSpinMicroseconds = tuning.helperSpinUs;
      done = this.pool.run(split, m, n, k, pa * 4, lda, ta, pb * 4, ldb, tb, pc * 4, n, alpha, beta, ps * 4, this.scratch);
      if (!done && beta !== 0) heap.set(c, pc); // a helper failed: C again, then one thread
    }
    if (!done) this.x.gemm(m, n, k, pa * 4, lda, ta, pb * 4, ldb, tb, pc * 4, n, alpha, beta, ps * 4);
    if (key) this.chooser.record(key, split !== null && done, now() - start);
    c.set(heap.subarray(pc, pc + c.length));
  }
}
