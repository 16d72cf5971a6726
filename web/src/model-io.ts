/**
 * Saving the playground's network as a model file and loading one (from the page or the CLI)
 * in its place.
 */
import { BackpropError, Network, type NetworkJSON } from '../../src/index.js';
import { DEFAULT_CONFIG, type PlaygroundConfig } from './config.js';
import { Session } from './session.js';

/** The model file's text for the session's network. */
export function exportModel(session: Session): string {
  return JSON.stringify(session.net.toJSON(), null, 2);
}

/**
 * A session for the network in a model file. The data stays what it was when the model fits
 * it (same inputs and outputs); a model with 4 inputs and 3 outputs is shown on the slides'
 * 3 Iris samples; anything else is refused with the reason.
 */
export function loadModel(text: string, source: string, current: PlaygroundConfig = DEFAULT_CONFIG): Session {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BackpropError('model', `${source} is not JSON: ${(e as Error).message}`);
  }
  const net = Network.fromJSON(json as NetworkJSON);
  return new Session(configFor(net, current, source), net);
}

/** The playground settings that describe `net`, keeping the current data and training options. */
export function configFor(net: Network, current: PlaygroundConfig, source: string): PlaygroundConfig {
  const layers = net.layers;
  const out = layers[layers.length - 1];
  const config: PlaygroundConfig = {
    ...current,
    hidden: layers.slice(0, -1).map((l) => ({ units: l.units, activation: l.activation.name })),
    outputActivation: out.activation.name,
    bias: layers.every((l) => l.useBias),
    loss: net.loss.name,
    seed: net.seed,
  };
  const name = current.data.name;
  if (net.inputs === 4 && net.outputs === 3) {
    return { ...config, data: { ...current.data, name: 'slides' }, batch: 'full' };
  }
  if (net.inputs === 2) {
    const iris = name === 'iris';
    const twoD = iris ? { ...current.data } : { ...current.data, name: name === 'slides' ? 'xor' : name };
    const classes = iris ? 3 : 2;
    if (net.outputs === classes || (!iris && net.outputs === 1)) return { ...config, data: twoD };
  }
  throw new BackpropError(
    'model',
    `${source} holds a network with ${net.inputs} inputs and ${net.outputs} outputs; the playground shows networks ` +
      'with 2 inputs (1 or 2 outputs for the 2-D sets, 3 for Iris) or with 4 inputs and 3 outputs (the slides\' Iris samples)',
  );
}
