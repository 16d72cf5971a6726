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
      l1: 0.003,
      l2: 0.05,
    },
    { ...DEFAULT_CONFIG, l1: 0.0001 },
    { ...DEFAULT_CONFIG, l2: 2.5 },
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

test('L1 and L2 are in the hash as l1 and l2; an older link\'s reg and regRate still open with that one on', () => {
  assert.match(encodeConfig({ ...DEFAULT_CONFIG, l1: 0.01, l2: 0.05 }), /&l1=0\.01&l2=0\.05$/);
  assert.match(encodeConfig(DEFAULT_CONFIG), /&l1=0&l2=0$/);
  const both = decodeConfig('#dataset=circle&l1=0.01&l2=0.05');
  assert.deepEqual([both.l1, both.l2, both.data.name], [0.01, 0.05, 'circle']);
  // the links written before both could be on: one kind and its rate
  const old = (hash: string, base = DEFAULT_CONFIG) => {
    const c = decodeConfig(hash, base);
    return [c.l1, c.l2];
  };
  assert.deepEqual(old('dataset=circle&reg=l2&regRate=0.01'), [0, 0.01]);
  assert.deepEqual(old('reg=l1&regRate=0.03'), [0.03, 0]);
  assert.deepEqual(old('reg=none&regRate=0.001', { ...DEFAULT_CONFIG, l1: 0.1, l2: 0.1 }), [0, 0]);
  assert.deepEqual(old('reg=l2&regRate=0.01', { ...DEFAULT_CONFIG, l1: 0.1 }), [0, 0.01]); // the other kind off, as the link meant
  // a new key wins over an old one
  assert.deepEqual(old('reg=l2&regRate=0.01&l2=0.003'), [0, 0.003]);
});

test('a bad l1 or l2 in the hash keeps its default, as every other setting does', () => {
  const base = { ...DEFAULT_CONFIG, l1: 0.001, l2: 0.003 };
  for (const bad of ['-0.1', '11', 'abc', '', 'NaN', 'Infinity']) {
    const c = decodeConfig(`l1=${bad}&l2=${bad}&seed=7`, base);
    assert.deepEqual([c.l1, c.l2, c.seed], [0.001, 0.003, 7], bad);
  }
  // an old link's bad rate or unknown kind: the same
  assert.deepEqual([decodeConfig('reg=l2&regRate=-1', base).l2, decodeConfig('reg=l3&regRate=0.1', base).l2], [0.003, 0.003]);
  assert.equal(decodeConfig('reg=l3&regRate=0.1', base).l1, 0.001);
});
