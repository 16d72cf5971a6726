import { Network } from '../nn/network.js';

/**
 * The slides' worked examples as data, for traces, demos and the playground preset.
 * Only the inputs live here; the expected intermediates are test vectors under test/fixtures.
 */

/** The 3-sample Iris pass of the first slide set: a 4-2-3 sigmoid network without biases. */
export const IRIS3 = {
  X: [
    [4.9, 3.0, 1.4, 0.2],
    [6.4, 3.2, 4.5, 1.5],
    [5.8, 2.7, 5.1, 1.9],
  ],
  W1: [
    [0.7, 0.4],
    [-0.8, 0.0],
    [0.3, -0.4],
    [0.1, 0.1],
  ],
  W2: [
    [0.0, -0.1, 0.2],
    [0.6, -0.5, 0.5],
  ],
  Y: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
};

/** The XOR truth table of the Error Backpropagation Algorithm slides. */
export const XOR = {
  X: [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ],
  Y: [[0], [1], [1], [0]],
};

/** The iterations at which the XOR slides print the network's outputs. */
export const XOR_SLIDE_ITERATIONS = [0, 1000, 2000, 3000, 5000, 10000];

/** The slides' Iris network (4-2-3, sigmoid, no biases, W1 and W2 from the slide) with the given loss. */
export function slidesIrisNetwork(
  example: { W1: number[][]; W2: number[][] },
  loss = 'half-mean-over-samples',
): Network {
  return new Network({
    inputs: example.W1.length,
    bias: false,
    loss,
    layers: [
      { units: example.W1[0].length, activation: 'sigmoid', weights: example.W1 },
      { units: example.W2[0].length, activation: 'sigmoid', weights: example.W2 },
    ],
  });
}
