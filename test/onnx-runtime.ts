// Runs exported ONNX models in ONNX Runtime (onnxruntime-node, a dev dependency).
import ort from 'onnxruntime-node';

/** The outputs of an ONNX model with one input "input" and one output "output", for the rows of X. */
export async function runOnnx(bytes: Uint8Array, X: number[][], dtype: 'float32' | 'float64'): Promise<number[][]> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const cols = X[0].length;
    const data = dtype === 'float32' ? Float32Array.from(X.flat()) : Float64Array.from(X.flat());
    const result = await session.run({ input: new ort.Tensor(dtype, data, [X.length, cols]) });
    const out = result.output;
    const width = Number(out.dims[1]);
    const values = Array.from(out.data as Float32Array | Float64Array);
    return Array.from({ length: X.length }, (_, i) => values.slice(i * width, (i + 1) * width));
  } finally {
    await session.release();
  }
}
