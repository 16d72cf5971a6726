// Random networks and data for property tests (fast-check), shared by the gradient check, the
// exports and the round trips.
import fc from 'fast-check';
import { ACTIVATION_NAMES, LOSS_NAMES, Matrix, Network, Random, type LossName, type Recorder } from '../src/index.js';

/** Hidden activations a gradient check can follow (step has no gradient). */
export const HIDDEN = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'linear', 'softmax'] as const;
/** Activations with a kink at 0, where a finite difference is meaningless. */
export const KINKED = new Set(['relu', 'leaky-relu']);

/** The output activations a loss accepts (the cross-entropies need their fused activation). */
export function outputsFor(loss: LossName): string[] {
  if (loss === 'cross-entropy') return ['softmax'];
  if (loss === 'binary-cross-entropy') return ['sigmoid'];
  return ['sigmoid', 'tanh', 'linear', 'softmax', 'leaky-relu'];
}

/** Sizes of the random architectures of a gradient check. */
export interface GradientLimits {
  inputs: number;
  units: number;
  hiddenLayers: number;
  outputs: number;
  rows: number;
  /** Half-width of the uniform initial weights. */
  initRange: number;
}

const SMALL: GradientLimits = { inputs: 4, units: 5, hiddenLayers: 3, outputs: 4, rows: 5, initRange: 1 };

/** A random architecture, loss and batch size for a gradient check, within `limits`. */
export function gradientCases(limits: GradientLimits = SMALL) {
  return fc
    .record({
      inputs: fc.integer({ min: 1, max: limits.inputs }),
      hidden: fc.array(fc.record({ units: fc.integer({ min: 1, max: limits.units }), activation: fc.constantFrom(...HIDDEN) }), {
        minLength: 0,
        maxLength: limits.hiddenLayers,
      }),
      outputs: fc.integer({ min: 2, max: limits.outputs }),
      loss: fc.constantFrom(...LOSS_NAMES),
      outChoice: fc.nat(),
      bias: fc.boolean(),
      rows: fc.integer({ min: 1, max: limits.rows }),
      seed: fc.integer({ min: 1, max: 1_000_000 }),
    })
    .map((c) => {
      const outs = outputsFor(c.loss);
      return { ...c, outActivation: outs[c.outChoice % outs.length], initRange: limits.initRange };
    });
}

export const gradientCaseArb = gradientCases();

export type GradientCase = typeof gradientCaseArb extends fc.Arbitrary<infer T> ? T : never;

/** The network of a gradient case, with inputs in [−2, 2) and targets its loss accepts. */
export function buildGradientCase(c: GradientCase) {
  const net = new Network({
    inputs: c.inputs,
    loss: c.loss,
    bias: c.bias,
    seed: c.seed,
    init: 'uniform',
    initRange: c.initRange,
    layers: [...c.hidden, { units: c.outputs, activation: c.outActivation }],
  });
  let s = c.seed;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const X = Array.from({ length: c.rows }, () => Array.from({ length: c.inputs }, () => rand() * 4 - 2));
  const Y = Array.from({ length: c.rows }, () => {
    if (c.loss === 'cross-entropy') {
      const k = Math.floor(rand() * c.outputs);
      return Array.from({ length: c.outputs }, (_, j) => (j === k ? 1 : 0));
    }
    return Array.from({ length: c.outputs }, () => rand());
  });
  return { net, X, Y };
}

/** Every layer's pre-activation (H_in, …, O_in) for the rows of X, copied out of the forward pass. */
export function layerInputs(net: Network, X: number[][]): number[][][] {
  const found: number[][][] = [];
  const rec: Recorder = {
    record(name, value) {
      if (name.endsWith('_in')) found.push(value.toArray());
    },
  };
  net.forward(Matrix.from(X, 'X'), rec);
  return found;
}

/** True when some input of a layer with one of `activations` lies within `margin` of 0. */
export function nearZero(net: Network, X: number[][], activations: ReadonlySet<string>, margin: number): boolean {
  const inputs = layerInputs(net, X);
  return net.layers.some((l, i) => activations.has(l.activation.name) && inputs[i].flat().some((z) => Math.abs(z) < margin));
}

/** True when some relu or leaky relu input lies so near 0 that a finite difference straddles the kink. */
export function nearKink(net: Network, X: number[][]): boolean {
  return nearZero(net, X, KINKED, 0.05);
}

/** A squared-error loss: it accepts every output activation. */
const ANY_OUTPUT_LOSS = 'mean-over-samples';

/** Sizes of the random networks of the export and round-trip checks. */
export interface NetworkLimits {
  inputs: number;
  units: number;
  layers: number;
  rows: number;
  /** Half-widths the weights are drawn from. */
  ranges: number[];
}

const SMALL_NETWORKS: NetworkLimits = { inputs: 6, units: 6, layers: 4, rows: 8, ranges: [0.5, 1, 2] };

/**
 * A random network of any activations (step included) in any layer, every weight and bias drawn
 * uniformly from [−range, range), with a batch of inputs in [−3, 3).
 */
export function networkCases(limits: NetworkLimits = SMALL_NETWORKS) {
  return fc
    .record({
      inputs: fc.integer({ min: 1, max: limits.inputs }),
      layers: fc.array(
        fc.record({
          units: fc.integer({ min: 1, max: limits.units }),
          activation: fc.constantFrom(...ACTIVATION_NAMES),
          bias: fc.boolean(),
        }),
        { minLength: 1, maxLength: limits.layers },
      ),
      range: fc.constantFrom(...limits.ranges),
      rows: fc.integer({ min: 1, max: limits.rows }),
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    })
    .map((c) => {
      const layers = c.layers.map((l, i) =>
        // A softmax over one unit is always 1, and the network refuses it as an output.
        i === c.layers.length - 1 && l.activation === 'softmax' && l.units < 2 ? { ...l, units: 2 } : l,
      );
      return { ...c, layers };
    });
}

export const networkArb = networkCases();

export type NetworkCase = typeof networkArb extends fc.Arbitrary<infer T> ? T : never;

/** The network and inputs of a network case. */
export function buildNetwork(c: NetworkCase): { net: Network; X: number[][] } {
  const net = new Network({ inputs: c.inputs, loss: ANY_OUTPUT_LOSS, seed: c.seed, layers: c.layers });
  const rng = new Random(c.seed);
  for (const p of net.params()) for (let i = 0; i < p.value.length; i++) p.value[i] = (rng.next() * 2 - 1) * c.range;
  const X = Array.from({ length: c.rows }, () => Array.from({ length: c.inputs }, () => rng.next() * 6 - 3));
  return { net, X };
}

/** A random column scaling for `width` columns, as a fitted scaler stores it: x' = (x − shift) / scale. */
export function scalingArb(width: number) {
  return fc.record({
    shift: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: width, maxLength: width }),
    scale: fc.array(fc.double({ min: 0.05, max: 20, noNaN: true }), { minLength: width, maxLength: width }),
  });
}

/** A network case with a feature scaling for its inputs and a target scaling for its outputs. */
export function scaledNetworkCases(limits?: NetworkLimits) {
  return networkCases(limits).chain((c) =>
    fc.record({ c: fc.constant(c), pre: scalingArb(c.inputs), post: scalingArb(c.layers[c.layers.length - 1].units) }),
  );
}

export type ScaledNetworkCase = typeof scaledNetworkCases extends (l?: NetworkLimits) => fc.Arbitrary<infer T> ? T : never;

/** Any finite double, −0 and subnormals included, up to 1e3 in size (so no output overflows). */
const anyWeight = fc.double({ min: -1e3, max: 1e3, noNaN: true });

/** A network case whose every weight and bias, and every input, is any double up to 1e3 in size. */
export function weightCases(limits?: NetworkLimits) {
  return networkCases(limits).chain((c) => {
    const sizes = buildNetwork(c).net.params().map((p) => p.value.length);
    return fc.record({
      c: fc.constant(c),
      values: fc.tuple(...sizes.map((n) => fc.array(anyWeight, { minLength: n, maxLength: n }))),
      X: fc.array(fc.array(anyWeight, { minLength: c.inputs, maxLength: c.inputs }), { minLength: 1, maxLength: 6 }),
    });
  });
}

export type WeightCase = typeof weightCases extends (l?: NetworkLimits) => fc.Arbitrary<infer T> ? T : never;

/** The network of a weight case, its weights and biases set. */
export function networkOf(w: WeightCase): Network {
  const { net } = buildNetwork(w.c);
  net.params().forEach((p, k) => p.value.set(w.values[k]));
  return net;
}
