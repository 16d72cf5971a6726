// Save and load: a network written as JSON text, or in a versioned model file, and read back
// predicts the same numbers, bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Model, modelFileToText, Network, networkFromModelFile, parseModelFile, type ModelFile } from '../src/index.js';
import { buildNetwork, networkArb, scalingArb } from './arbitraries.js';

/** Any finite double, −0 and subnormals included, up to 1e3 in size (so no output overflows). */
const weight = fc.double({ min: -1e3, max: 1e3, noNaN: true });

/** A random network with every weight and bias drawn from `weight`, and a batch of inputs. */
const caseArb = networkArb.chain((c) => {
  const { net } = buildNetwork(c);
  const sizes = net.params().map((p) => p.value.length);
  return fc.record({
    c: fc.constant(c),
    values: fc.tuple(...sizes.map((n) => fc.array(weight, { minLength: n, maxLength: n }))),
    X: fc.array(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: c.inputs, maxLength: c.inputs }), { minLength: 1, maxLength: 6 }),
  });
});

function networkOf(c: (typeof caseArb extends fc.Arbitrary<infer T> ? T : never)): Network {
  const { net } = buildNetwork(c.c);
  net.params().forEach((p, k) => p.value.set(c.values[k]));
  return net;
}

test('Network.toJSON → JSON text → Network.fromJSON predicts the same bits, and saves the same JSON', () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const net = networkOf(c);
      const text = JSON.stringify(net.toJSON());
      const back = Network.fromJSON(JSON.parse(text));
      assert.deepEqual(back.predict(c.X), net.predict(c.X));
      assert.equal(JSON.stringify(back.toJSON()), text);
      assert.equal(back.loss.name, net.loss.name);
      assert.equal(back.seed, net.seed);
    }),
    { numRuns: 200 },
  );
});

/** A complete model file around a network: a classification when it has 2 or more outputs, else a regression. */
function modelFileFor(net: Network, features: { shift: number[]; scale: number[] }, target: { shift: number[]; scale: number[] }): ModelFile {
  const classification = net.outputs >= 2;
  return {
    format: 'backprop-model',
    version: 1,
    network: net.toJSON() as ModelFile['network'],
    data: {
      source: 'generated.csv',
      rows: 10,
      fingerprint: '0123abcd',
      features: Array.from({ length: net.inputs }, (_, j) => `x${j + 1}`),
      target: 'y',
      kind: classification ? 'classification' : 'regression',
      ...(classification ? { classes: Array.from({ length: net.outputs }, (_, k) => `class ${k}`) } : {}),
    },
    preprocessing: {
      features: { kind: 'standard', ...features },
      ...(classification ? {} : { target: { kind: 'minmax' as const, ...target } }),
    },
    training: {
      optimizer: 'adam',
      learningRate: 0.01,
      batchSize: 'full',
      epochs: 3,
      seed: net.seed,
      testSplit: 0.2,
      stratified: classification,
      testRows: [1, 7],
      history: { loss: [0.5, 0.25, 0.125], epochs: 3, stopReason: 'epochs', seconds: 0.01 },
      metrics: { trainLoss: 0.125, testLoss: null },
    },
  };
}

test('the versioned model file round trip: save → text → load predicts the same bits; saving again gives the same text', () => {
  const arb = caseArb.chain((c) => {
    const outputs = c.c.layers[c.c.layers.length - 1].units;
    return fc.tuple(fc.constant(c), scalingArb(c.c.inputs), scalingArb(outputs));
  });
  fc.assert(
    fc.property(arb, ([c, features, target]) => {
      const net = networkOf(c);
      const text = modelFileToText(modelFileFor(net, features, target));
      const file = parseModelFile(text, 'round trip');
      assert.deepEqual(networkFromModelFile(file).predict(c.X), net.predict(c.X));
      assert.deepEqual(file.preprocessing.features.shift, features.shift.map((v) => v + 0)); // −0 is saved as 0
      const model = Model.parse(text, 'round trip');
      assert.deepEqual(model.network.predict(c.X), net.predict(c.X));
      assert.equal(model.toText(), text);
    }),
    { numRuns: 100 },
  );
});
