// The workloads: one definition of the maths, which every adapter follows as closely as its
// library allows (each adapter states where it cannot), and one judge of "did it learn".

export const WORKLOADS = {
  W1: {
    id: 'W1',
    title: 'W1 XOR 2-2-1, 10,000 epochs',
    sizes: [2, 2, 1],
    hidden: 'sigmoid',
    output: 'sigmoid',
    // loss = 1/2 · Σ over samples and outputs (y − t)²; the batch gradient is the plain sum
    loss: 'half-sum-of-squares',
    learningRate: 0.5,
    epochs: 10000,
    batchSize: 'full',
    evalRows: 4,
  },
  W2: {
    id: 'W2',
    title: 'W2 Iris 4-16-3, 2,000 epochs',
    sizes: [4, 16, 3],
    hidden: 'sigmoid',
    output: 'sigmoid',
    // loss = 1/(2N) · Σ (y − t)²: the gradient is the mean over the 150 samples
    loss: 'half-mean-over-samples',
    learningRate: 0.5,
    epochs: 2000,
    batchSize: 'full',
    evalRows: 150,
  },
  W3: {
    id: 'W3',
    title: 'W3 MLP 784-256-128-10, 1 epoch of 10,000 rows',
    sizes: [784, 256, 128, 10],
    hidden: 'sigmoid',
    output: 'softmax',
    // categorical cross-entropy, averaged over the mini-batch
    loss: 'cross-entropy',
    learningRate: 0.1,
    epochs: 1,
    batchSize: 64,
    // convergence is judged on the first 2,000 training rows (keeps evaluation cheap)
    evalRows: 2000,
  },
  W4: {
    id: 'W4',
    title: 'W4 float32 GEMM',
    // row-major shapes of W3's training products, and a square one
    shapes: [
      { name: 'XW', label: 'X·W 64×784·784×256', M: 64, N: 256, K: 784, transA: false, transB: false },
      { name: 'XtD', label: 'Xᵀ·D 784×64·64×256', M: 784, N: 256, K: 64, transA: true, transB: false },
      { name: 'DWt', label: 'D·Wᵀ 64×256·256×784', M: 64, N: 784, K: 256, transA: false, transB: true },
      { name: '1024', label: '1024³', M: 1024, N: 1024, K: 1024, transA: false, transB: false },
    ],
  },
};

export const TRAINING_WORKLOADS = ['W1', 'W2', 'W3'];

/** The sub-workload id of a W4 shape as it appears in rows: "W4-XW", "W4-XtD", ... */
export const gemmWorkloadId = (shape) => `W4-${shape}`;

function argmax(row) {
  let k = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[k]) k = j;
  return k;
}

/**
 * Judges outputs (number[][], the first evalRows rows after training) against the targets.
 * Returns { converged, summary, ...metrics }.
 *  W1: all 4 outputs on the right side of 0.5; also reports whether all are within 0.1.
 *  W2: training accuracy ≥ 0.9.
 *  W3: accuracy above chance (> 0.2, twice chance) and cross-entropy below ln 10 (the loss of a
 *      uniform guess), on the first 2,000 rows. Outputs that are not a distribution (sigmoid
 *      outputs of brain.js and synaptic) are normalised to sum 1 for the loss.
 */
export function judge(id, outputs, Y) {
  const rows = outputs.length;
  if (!rows || outputs.some((r) => !r || r.some((v) => !Number.isFinite(v)))) {
    return { converged: false, summary: 'no (non-finite outputs)' };
  }
  if (id === 'W1') {
    let right = 0;
    let within = 0;
    let maxErr = 0;
    for (let i = 0; i < rows; i++) {
      const y = outputs[i][0];
      const t = Y[i][0];
      if ((y > 0.5) === (t > 0.5)) right++;
      const e = Math.abs(y - t);
      if (e < 0.1) within++;
      maxErr = Math.max(maxErr, e);
    }
    const converged = right === rows;
    return {
      converged,
      withinTenth: within === rows,
      maxError: maxErr,
      summary: converged ? `yes${within === rows ? ', all within 0.1' : `, max error ${maxErr.toFixed(2)}`}` : `no (${right}/${rows} right)`,
    };
  }
  let correct = 0;
  let loss = 0;
  for (let i = 0; i < rows; i++) {
    const t = argmax(Y[i]);
    if (argmax(outputs[i]) === t) correct++;
    if (id === 'W3') {
      const s = outputs[i].reduce((a, v) => a + v, 0);
      loss -= Math.log(Math.max(outputs[i][t] / s, 1e-12));
    }
  }
  const accuracy = correct / rows;
  if (id === 'W2') {
    const converged = accuracy >= 0.9;
    return { converged, accuracy, summary: `${converged ? 'yes' : 'no'} (acc ${accuracy.toFixed(3)})` };
  }
  loss /= rows;
  const converged = accuracy > 0.2 && loss < Math.log(10);
  return { converged, accuracy, loss, summary: `${converged ? 'yes' : 'no'} (acc ${accuracy.toFixed(3)}, loss ${loss.toFixed(3)})` };
}
