// ConvNetJS adapter (Net + Trainer, method sgd, momentum 0, no weight decay).
import convnetModule from 'convnetjs';

const convnetjs = convnetModule.default ?? convnetModule;

export async function prepare(spec, data) {
  const { sizes } = spec;
  const L = sizes.length - 1;
  const defs = [{ type: 'input', out_sx: 1, out_sy: 1, out_depth: sizes[0] }];
  for (let l = 1; l < L; l++) defs.push({ type: 'fc', num_neurons: sizes[l], activation: spec.hidden });
  const softmax = spec.output === 'softmax';
  if (softmax) {
    defs.push({ type: 'softmax', num_classes: sizes[L] }); // makeLayers puts a linear fc in front
  } else {
    defs.push({ type: 'fc', num_neurons: sizes[L], activation: 'sigmoid' });
    defs.push({ type: 'regression', num_neurons: sizes[L] });
  }
  const net = new convnetjs.Net();
  net.makeLayers(defs);
  if (!softmax) {
    // makeLayers always adds a linear fc layer before 'regression' (L2 loss); take it out so the
    // network ends sigmoid → L2, as the workload says. Sizes match: sigmoid out = fc out = nout.
    const k = net.layers.length - 2;
    if (net.layers[k].layer_type !== 'fc' || net.layers[k - 1].layer_type !== 'sigmoid') {
      throw new Error('unexpected ConvNetJS layer layout');
    }
    net.layers.splice(k, 1);
  }
  const batch = spec.batchSize === 'full' ? data.n : spec.batchSize;
  // ConvNetJS divides the accumulated gradient by batch_size; a summed loss (W1) needs lr × batch.
  const learningRate = spec.loss === 'half-sum-of-squares' ? spec.learningRate * batch : spec.learningRate;
  const trainer = new convnetjs.Trainer(net, {
    method: 'sgd',
    learning_rate: learningRate,
    momentum: 0,
    batch_size: batch,
    l1_decay: 0,
    l2_decay: 0,
  });
  const toVol = (x) => {
    const v = new convnetjs.Vol(1, 1, x.length, 0);
    v.w = x instanceof Float64Array ? x : Float64Array.from(x);
    return v;
  };
  const vols = [];
  for (let i = 0; i < data.n; i++) vols.push(toVol(data.xs.subarray(i * data.nin, (i + 1) * data.nin)));
  const targets = [];
  for (let i = 0; i < data.n; i++) {
    const y = Array.from(data.ys.subarray(i * data.nout, (i + 1) * data.nout));
    targets.push(softmax ? y.indexOf(1) : y);
  }
  return {
    train() {
      for (let e = 0; e < spec.epochs; e++) {
        for (let i = 0; i < vols.length; i++) trainer.train(vols[i], targets[i]);
      }
    },
    predict(X) {
      return X.map((x) => Array.from(net.forward(toVol(x), false).w));
    },
  };
}
