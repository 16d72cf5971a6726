// TensorFlow.js adapter, backends "cpu" (@tensorflow/tfjs) and "wasm" (@tensorflow/tfjs-backend-wasm).
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { timeGemm } from '../lib/gemm-timer.mjs';

const require = createRequire(import.meta.url);
let tf;

async function load(backend) {
  if (tf) return tf;
  tf = await import('@tensorflow/tfjs');
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The .wasm binaries ship inside the npm package: point the loader at them.
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(dist + '/');
  }
  const ok = await tf.setBackend(backend);
  if (!ok || tf.getBackend() !== backend) throw new Error(`TF.js backend ${backend} did not initialise`);
  await tf.ready();
  return tf;
}

export async function prepare(spec, data, lib) {
  const tf = await load(lib.backend);
  const { sizes } = spec;
  const L = sizes.length - 1;
  const model = tf.sequential();
  for (let l = 1; l <= L; l++) {
    model.add(
      tf.layers.dense({
        units: sizes[l],
        inputShape: l === 1 ? [sizes[0]] : undefined,
        activation: l < L ? spec.hidden : spec.output,
        // fixed seeds 1, 2, 3. (With 101, 102 the 2-2-1 XOR net lands in the known local minimum with
        // two outputs at 0.5; the seed changes what is learned, not the time taken.)
        kernelInitializer: tf.initializers.glorotUniform({ seed: l }),
        biasInitializer: 'zeros',
      }),
    );
  }
  let loss;
  if (spec.loss === 'half-sum-of-squares') {
    // a scalar: 1/2 · Σ over samples and outputs. (fit takes the mean of what the loss returns.)
    loss = (yTrue, yPred) => tf.mul(0.5, tf.sum(tf.square(tf.sub(yPred, yTrue))));
  } else if (spec.loss === 'half-mean-over-samples') {
    // per sample 1/2 · Σ over outputs; fit averages over the batch: SS / (2N)
    loss = (yTrue, yPred) => tf.mul(0.5, tf.sum(tf.square(tf.sub(yPred, yTrue)), -1));
  } else if (spec.loss === 'cross-entropy') {
    loss = 'categoricalCrossentropy';
  } else throw new Error(`loss ${spec.loss} not supported`);
  model.compile({ optimizer: tf.train.sgd(spec.learningRate), loss });
  const xs = tf.tensor2d(Float32Array.from(data.xs), [data.n, data.nin]);
  const ys = tf.tensor2d(Float32Array.from(data.ys), [data.n, data.nout]);
  const batchSize = spec.batchSize === 'full' ? data.n : spec.batchSize;
  return {
    async train() {
      await model.fit(xs, ys, { epochs: spec.epochs, batchSize, shuffle: false, verbose: 0 });
    },
    predict(X) {
      return tf.tidy(() => model.predict(tf.tensor2d(X)).arraySync());
    },
  };
}

export function gemmInfo(lib) {
  return `tf.matMul, ${lib.backend} backend, float32`;
}

export async function gemm(shapes, minSeconds, lib) {
  const tf = await load(lib.backend);
  return timeGemm(shapes, minSeconds, (sh) => {
    const a = tf.randomUniform(sh.transA ? [sh.K, sh.M] : [sh.M, sh.K], -0.5, 0.5, 'float32', 1);
    const b = tf.randomUniform(sh.transB ? [sh.N, sh.K] : [sh.K, sh.N], -0.5, 0.5, 'float32', 2);
    return () => {
      const c = tf.matMul(a, b, sh.transA, sh.transB);
      c.dataSync();
      c.dispose();
    };
  });
}
