import { Network, XOR } from '/work/wt14/src/index.ts';

// 2 inputs → 2 sigmoid hidden units → 1 sigmoid output, loss ½·ΣΣ(O_out − Y)², seeded
const net = new Network({
  inputs: 2,
  layers: [
    { units: 2, activation: 'sigmoid' },
    { units: 1, activation: 'sigmoid' },
  ],
  loss: 'half-sum-of-squares',
  seed: 1,
});

const history = net.fit(XOR.X, XOR.Y, { epochs: 10000, learningRate: 0.5, batchSize: 'full' });
console.log(history.loss.at(-1)); // the last epoch's loss
console.log(net.predict(XOR.X)); // ≈ [[0.02], [0.97], [0.97], [0.02]]
console.log(net.evaluate(XOR.X, XOR.Y).accuracy); // 1
