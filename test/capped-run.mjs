// Run by test/cli-reliability.test.ts under `ulimit -v` (a capped address space), from the built
// package (dist/: tsx itself does not start under such a cap): float32 training whose products
// would use a helper thread. Prints the warnings as JSON.
import { Matrix, Network, setThreads } from '../dist/node/index.js';

const warnings = [];
process.on('warning', (w) => warnings.push(w.message));
setThreads(2);
const X = new Matrix(512, 784, 'float32');
for (let i = 0; i < X.data.length; i++) X.data[i] = (i % 97) / 97;
const Y = new Matrix(512, 10, 'float32');
for (let i = 0; i < 512; i++) Y.data[i * 10 + (i % 10)] = 1;
const net = new Network({ inputs: 784, layers: [{ units: 256, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'cross-entropy', dtype: 'float32' });
net.fit(X, Y, { epochs: 3, batchSize: 256 });
await new Promise((r) => setTimeout(r, 20));
console.log(JSON.stringify({ warnings }));
