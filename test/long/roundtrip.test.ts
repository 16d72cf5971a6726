// The long run (npm run test:long): save/load round trips on many more random networks.
import { test } from 'node:test';
import fc from 'fast-check';
import { scalingArb, weightCases } from '../arbitraries.js';
import { checkJsonRoundTrip, checkModelFileRoundTrip } from '../export-checks.js';

const LARGE = { inputs: 12, units: 16, layers: 6, rows: 8, ranges: [1] };

test('toJSON → JSON text → fromJSON, bit for bit: 3,000 small and 300 large random networks', () => {
  fc.assert(fc.property(weightCases(), checkJsonRoundTrip), { numRuns: 3000 });
  fc.assert(fc.property(weightCases(LARGE), checkJsonRoundTrip), { numRuns: 300 });
});

test('model file save → text → load, bit for bit: 1,000 random networks', () => {
  const arb = weightCases().chain((w) => fc.tuple(fc.constant(w), scalingArb(w.c.inputs), scalingArb(w.c.layers[w.c.layers.length - 1].units)));
  fc.assert(fc.property(arb, ([w, features, target]) => checkModelFileRoundTrip(w, features, target)), { numRuns: 1000 });
});
