// brain.js adapter (brain.js 1.6.1, NeuralNetwork: sigmoid units, squared error, per-sample SGD).
import brainModule from 'brain.js';

const brain = brainModule.default ?? brainModule;

export async function prepare(spec, data) {
  const net = new brain.NeuralNetwork({ hiddenLayers: spec.sizes.slice(1, -1), activation: 'sigmoid' });
  // brain.js refuses momentum 0 (its validation wants 0 < momentum < 1). Validate the options with
  // the default momentum put in, then train with momentum exactly 0: plain SGD.
  const validate = net.validateTrainingOptions.bind(net);
  net.validateTrainingOptions = (opts) => validate({ ...opts, momentum: 0.1 });
  const set = data.X.map((input, i) => ({ input, output: data.Y[i] }));
  return {
    train() {
      net.train(set, {
        iterations: spec.epochs,
        errorThresh: Number.MIN_VALUE, // > 0 as required; never reached, so every epoch runs
        learningRate: spec.learningRate,
        momentum: 0,
        log: false,
      });
    },
    predict(X) {
      return X.map((x) => Array.from(net.run(x)));
    },
  };
}
