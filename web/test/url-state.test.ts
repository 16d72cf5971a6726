// Every setting in the address's hash: a config survives the trip, and what is not understood keeps its default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, slidesConfig, type PlaygroundConfig } from '../src/config.js';
import { decodeConfig, encodeConfig } from '../src/url-state.js';

test('a config goes into the hash and comes back the same', () => {
  const configs: PlaygroundConfig[] = [
    DEFAULT_CONFIG,
    {
      ...DEFAULT_CONFIG,
      data: { name: 'iris', samples: 500, noise: 0.35, trainRatio: 0.7, irisFeatures: [0, 3], seed: 42 },
      hidden: [{ units: 5, activation: 'leaky-relu' }],
      outputActivation: 'softmax',
      bias: false,
      loss: 'cross-entropy',
      optimizer: 'rmsprop',
      learningRate: 0.003,
      batch: 'stochastic',
      batchSize: 17,
      seed: 42,
    },
    { ...DEFAULT_CONFIG, hidden: [] },
    slidesConfig(DEFAULT_CONFIG),
  ];
  for (const c of configs) assert.deepEqual(decodeConfig(`#${encodeConfig(c)}`), c);
  assert.match(encodeConfig(DEFAULT_CONFIG), /^dataset=xor&.*layers=8%3Arelu%2C8%3Arelu%2C8%3Arelu&/);
});

test('values out of range or unknown keep their defaults, one setting at a time', () => {
  const c = decodeConfig('dataset=moons&layers=9:relu&lr=-1&optimizer=adam&batch=mini&batchSize=0&iris=2,2&seed=7&noise=0.2');
  assert.equal(c.data.name, DEFAULT_CONFIG.data.name);
  assert.deepEqual(c.hidden, DEFAULT_CONFIG.hidden);
  assert.equal(c.learningRate, DEFAULT_CONFIG.learningRate);
  assert.equal(c.batchSize, DEFAULT_CONFIG.batchSize);
  assert.deepEqual(c.data.irisFeatures, DEFAULT_CONFIG.data.irisFeatures);
  assert.equal(c.seed, 7);
  assert.equal(c.data.seed, 7);
  assert.equal(c.data.noise, 0.2);
  assert.deepEqual(decodeConfig(''), DEFAULT_CONFIG);
});
