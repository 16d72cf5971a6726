// Hints under the diagram: saturated sigmoid/tanh units and dead relu units, counted over the rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network } from '../../src/index.js';
import { hintsFor, layerHealth } from '../src/hints.js';

const X = Array.from({ length: 40 }, (_, i) => [Math.cos(i), Math.sin(i * 1.3)]);

test('tanh units with large weights are saturated, and the hint says why learning stalls', () => {
  const net = new Network({
    inputs: 2,
    layers: [
      { units: 4, activation: 'tanh', weights: [[40, -40, 30, 1], [35, 45, -30, 0]], biases: [0, 0, 0, 0] },
      { units: 1, activation: 'sigmoid' },
    ],
    seed: 1,
  });
  const health = layerHealth(net, X);
  assert.equal(health.length, 1);
  assert.equal(health[0].saturated, 3);
  const [hint] = hintsFor(health);
  assert.match(hint, /Hidden layer 1: 3 of 4 tanh units are saturated \(\|z\| > 5 for most rows\).*almost 0/);
});

test('relu units with a large negative bias are dead; a healthy network gets no hint', () => {
  const dead = new Network({
    inputs: 2,
    layers: [
      { units: 3, activation: 'relu', weights: [[1, 1, 1], [1, 1, 1]], biases: [-10, -10, 0] },
      { units: 1, activation: 'sigmoid' },
    ],
    seed: 1,
  });
  const health = layerHealth(dead, X);
  assert.equal(health[0].dead, 2);
  assert.match(hintsFor(health)[0], /2 of 3 relu units are dead \(output 0 for every row\): relu′ is 0/);
  const fine = new Network({ inputs: 2, layers: [{ units: 8, activation: 'relu' }, { units: 8, activation: 'tanh' }, { units: 1 }], seed: 2 });
  assert.deepEqual(hintsFor(layerHealth(fine, X)), []);
});
