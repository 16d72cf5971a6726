// synaptic adapter (Architect.Perceptron + Trainer: logistic units, per-sample SGD).
import synapticModule from 'synaptic';

const synaptic = synapticModule.default ?? synapticModule;

export async function prepare(spec, data) {
  const { Architect, Trainer } = synaptic;
  const net = new Architect.Perceptron(...spec.sizes);
  const trainer = new Trainer(net);
  const set = data.X.map((input, i) => ({ input, output: data.Y[i] }));
  const cost = spec.loss === 'cross-entropy' ? Trainer.cost.CROSS_ENTROPY : Trainer.cost.MSE;
  return {
    train() {
      trainer.train(set, {
        rate: spec.learningRate,
        iterations: spec.epochs,
        error: -1, // a target error it can never reach (0 would mean its default, 0.005)
        shuffle: false,
        cost,
      });
    },
    predict(X) {
      return X.map((x) => Array.from(net.activate(x)));
    },
  };
}
