/** The library network a playground config describes. */
import { IRIS3, Network, slidesIrisNetwork } from '../../src/index.js';
import type { PlaygroundConfig } from './config.js';
import type { Dataset } from './datasets.js';

/**
 * The library network for a config and its data: the slides example gets the slides' W1 and
 * W2; every other network is initialised from the seed. Throws the library's BackpropError when
 * the choices do not fit together (cross-entropy without softmax, say).
 */
export function buildNetwork(config: PlaygroundConfig, data: Dataset): Network {
  if (config.data.name === 'slides') {
    const hidden = config.hidden[0]?.activation ?? 'sigmoid';
    if (hidden === 'sigmoid' && config.outputActivation === 'sigmoid') return slidesIrisNetwork(IRIS3, config.loss);
    // the slides' weights with other activations (step, say, to see why it cannot learn)
    return new Network({
      inputs: IRIS3.W1.length,
      bias: false,
      loss: config.loss,
      layers: [
        { units: IRIS3.W1[0].length, activation: hidden, weights: IRIS3.W1 },
        { units: IRIS3.W2[0].length, activation: config.outputActivation, weights: IRIS3.W2 },
      ],
    });
  }
  return new Network({
    inputs: data.trainX[0].length,
    bias: config.bias,
    loss: config.loss,
    seed: config.seed,
    layers: [
      ...config.hidden.map((l) => ({ units: l.units, activation: l.activation })),
      { units: data.trainY[0].length, activation: config.outputActivation },
    ],
  });
}
