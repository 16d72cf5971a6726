// Save and load: a network written as JSON text, or in a versioned model file, and read back
// predicts the same numbers, bit for bit.
import { test } from 'node:test';
import fc from 'fast-check';
import { scalingArb, weightCases } from './arbitraries.js';
import { checkJsonRoundTrip, checkModelFileRoundTrip } from './export-checks.js';

test('Network.toJSON → JSON text → Network.fromJSON predicts the same bits, and saves the same JSON', () => {
  fc.assert(fc.property(weightCases(), checkJsonRoundTrip), { numRuns: 200 });
});

test('the versioned model file round trip: save → text → load predicts the same bits; saving again gives the same text', () => {
  const arb = weightCases().chain((w) =>
    fc.tuple(fc.constant(w), scalingArb(w.c.inputs), scalingArb(w.c.layers[w.c.layers.length - 1].units)),
  );
  fc.assert(fc.property(arb, ([w, features, target]) => checkModelFileRoundTrip(w, features, target)), { numRuns: 100 });
});
