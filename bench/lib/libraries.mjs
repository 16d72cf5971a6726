// Every contender the suite runs: which process runs it, on which workloads, and what it does
// differently from the workload's definition (shown under the table).

/**
 * kind:  'js'       — node lib/child.mjs <id> <workload>, adapter in runners/<runner>.mjs
 *        'c'        — build/<binary> <workload> build/data/<W>.bin <evalRows>
 *        'openblas' — build/gemm with OPENBLAS_NUM_THREADS=<threads>
 * package: npm package whose version the report records (js kinds).
 * threads: OpenBLAS's thread count; for backprop, its setThreads (default: two on two cores).
 */
export const LIBRARIES = [
  {
    id: 'backprop',
    library: 'backprop',
    backend: 'js',
    kind: 'js',
    runner: 'backprop',
    workloads: ['W1', 'W2', 'W3', 'W4'],
    notes: {},
  },
  {
    // the same library held to one thread (bp.setThreads(1)), beside the default (two threads
    // where there are two cores) on the workloads with float32 products
    id: 'backprop-1',
    library: 'backprop',
    backend: 'js, 1 thread',
    kind: 'js',
    runner: 'backprop',
    threads: 1,
    workloads: ['W3', 'W4'],
    notes: {},
  },
  {
    id: 'tfjs-cpu',
    library: 'tfjs',
    backend: 'cpu',
    kind: 'js',
    runner: 'tfjs',
    package: '@tensorflow/tfjs',
    workloads: ['W1', 'W2', 'W3', 'W4'],
    notes: {
      all: 'TensorFlow.js layers API: model.fit(shuffle false), tf.train.sgd, glorotUniform init; W1/W2 losses are custom functions giving exactly 1/2·SS (W1) and SS/(2N) (W2).',
      W4: 'tf.matMul with transposeA/transposeB flags; each call includes dataSync() of the result.',
    },
  },
  {
    id: 'tfjs-wasm',
    library: 'tfjs',
    backend: 'wasm',
    kind: 'js',
    runner: 'tfjs',
    package: '@tensorflow/tfjs-backend-wasm',
    workloads: ['W1', 'W2', 'W3', 'W4'],
    notes: {
      all: 'As tfjs cpu, on @tensorflow/tfjs-backend-wasm (SIMD build, one thread: the threaded build is not used in Node).',
      W4: 'tf.matMul on the wasm backend (SIMD build, one thread), with dataSync() of the result.',
    },
  },
  {
    id: 'brain',
    library: 'brain.js',
    backend: 'js',
    kind: 'js',
    runner: 'brain',
    package: 'brain.js',
    workloads: ['W1', 'W2', 'W3'],
    notes: {
      all: 'brain.js trains per sample (batch 1) whatever the workload says; it refuses momentum 0 (validation wants 0 < momentum < 1), so the adapter skips that one check and trains with momentum exactly 0 (plain SGD).',
      W3: 'brain.js NeuralNetwork has no softmax: sigmoid outputs with squared error, per sample.',
    },
  },
  {
    id: 'synaptic',
    library: 'synaptic',
    backend: 'js',
    kind: 'js',
    runner: 'synaptic',
    package: 'synaptic',
    workloads: ['W1', 'W2', 'W3'],
    notes: {
      all: 'synaptic trains per sample (batch 1), and its output delta is always (t − y) with no σ′ factor — the cross-entropy gradient for sigmoid outputs — whatever cost is named.',
      W3: 'synaptic has no softmax: sigmoid outputs, per sample.',
    },
  },
  {
    id: 'convnetjs',
    library: 'convnetjs',
    backend: 'js',
    kind: 'js',
    runner: 'convnetjs',
    package: 'convnetjs',
    workloads: ['W1', 'W2', 'W3'],
    notes: {
      all: 'ConvNetJS Trainer, method sgd, momentum 0, no decay; it averages the batch gradient.',
      W1: 'ConvNetJS cannot declare a sigmoid output with L2 loss (its regression layer always adds a linear fc in front); the adapter removes that added layer, leaving sigmoid output + L2. Learning rate 0.5×4 = 2 because ConvNetJS divides the summed gradient by the batch size.',
      W2: 'Sigmoid output + L2 as for W1 (added linear fc layer removed).',
      W3: 'The last 16 rows (10,000 = 156×64 + 16) are accumulated but never applied: ConvNetJS only updates on full batches.',
    },
  },
  {
    id: 'c-f64',
    library: 'c-limit',
    backend: 'f64',
    kind: 'c',
    binary: 'train_f64',
    workloads: ['W1', 'W2', 'W3'],
    notes: {
      all: 'Plain C loops (c/train.c), gcc -O3 -march=native, no BLAS.',
    },
  },
  {
    id: 'c-f32',
    library: 'c-limit',
    backend: 'f32',
    kind: 'c',
    binary: 'train_f32',
    workloads: ['W3'],
    notes: {},
  },
  {
    id: 'openblas-1',
    library: 'openblas',
    backend: '1 thread',
    kind: 'openblas',
    threads: 1,
    workloads: ['W4'],
    notes: { W4: 'cblas_sgemm (c/gemm.c) from Debian libopenblas-dev, OPENBLAS_NUM_THREADS=1 or 2, the same row-major layouts and transpose flags.' },
  },
  {
    id: 'openblas-2',
    library: 'openblas',
    backend: '2 threads',
    kind: 'openblas',
    threads: 2,
    workloads: ['W4'],
    notes: {},
  },
];

export const byId = Object.fromEntries(LIBRARIES.map((l) => [l.id, l]));

/** The limit line each workload's rows are compared with. */
export const LIMIT_FOR = { W1: 'c-f64', W2: 'c-f64', W3: 'c-f32', W4: 'openblas-1' };
