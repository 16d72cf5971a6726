import { Network, XOR } from '/work/wt14/src/index.ts';
import { toONNX } from '/work/wt14/src/onnx.ts';

const net = new Network({ inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1 }], seed: 1 });
net.fit(XOR.X, XOR.Y, { epochs: 2000, learningRate: 0.5 });
const bytes = toONNX(net); // a Uint8Array: save it as model.onnx, or give it to ONNX Runtime
console.log(`${bytes.length} bytes of ONNX`);
