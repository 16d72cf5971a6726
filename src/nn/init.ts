import { BackpropError } from '../errors.js';
import type { Random } from '../tensor/random.js';
import type { Dense } from './dense.js';

export const INIT_NAMES = ['auto', 'xavier', 'he', 'uniform'] as const;
export type InitName = (typeof INIT_NAMES)[number];

/**
 * Fills a layer's weights from the seeded generator.
 * - xavier (Glorot uniform): U(−√(6/(in+out)), +√(6/(in+out))), biases 0
 * - he: N(0, 2/in), biases 0
 * - uniform: U(−range, +range) for weights and biases (the classic small random start)
 * - auto: he for relu and leaky relu layers, xavier for the others
 */
export function initialise(layer: Dense, name: InitName, rng: Random, range = 0.5): void {
  const kind = name === 'auto' ? (/relu/.test(layer.activation.name) ? 'he' : 'xavier') : name;
  const w = layer.W.data;
  switch (kind) {
    case 'xavier': {
      const limit = Math.sqrt(6 / (layer.inputs + layer.units));
      for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-limit, limit);
      layer.b.fill(0);
      return;
    }
    case 'he': {
      const std = Math.sqrt(2 / layer.inputs);
      for (let i = 0; i < w.length; i++) w[i] = std * rng.normal();
      layer.b.fill(0);
      return;
    }
    case 'uniform':
      for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-range, range);
      for (let i = 0; i < layer.b.length; i++) layer.b[i] = rng.uniform(-range, range);
      return;
    default:
      throw new BackpropError('option', `unknown init '${name}': expected one of ${INIT_NAMES.join(', ')}`);
  }
}
