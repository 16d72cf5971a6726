// The long run (npm run test:long): ONNX and standalone exports on many more, and larger,
// random networks than the default suite's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { networkArb, networkCases, scaledNetworkCases, type NetworkLimits } from '../arbitraries.js';
import { checkOnnx, checkOnnxScalings, checkStandalone, checkStandaloneScalings } from '../export-checks.js';

const LARGE: NetworkLimits = { inputs: 12, units: 16, layers: 6, rows: 32, ranges: [0.25, 0.5, 1] };

test('ONNX float32 export within 1e-5 of predict: 1,000 small and 300 large random networks', async () => {
  const seen = new Set<string>();
  const note = (names: string[]) => names.forEach((a) => seen.add(a));
  await fc.assert(fc.asyncProperty(networkArb, async (c) => note(await checkOnnx(c, 'float32'))), { numRuns: 1000 });
  await fc.assert(fc.asyncProperty(networkCases(LARGE), async (c) => note(await checkOnnx(c, 'float32'))), { numRuns: 300 });
  assert.equal(seen.size, 7);
});

test('ONNX float64 export within 1e-12 of predict: 200 small and 100 large random networks', async () => {
  await fc.assert(fc.asyncProperty(networkArb, async (c) => void (await checkOnnx(c, 'float64'))), { numRuns: 200 });
  await fc.assert(fc.asyncProperty(networkCases(LARGE), async (c) => void (await checkOnnx(c, 'float64'))), { numRuns: 100 });
});

test('ONNX export with feature and target scalings on raw features: 200 random networks', async () => {
  await fc.assert(fc.asyncProperty(scaledNetworkCases(), checkOnnxScalings), { numRuns: 200 });
});

test('standalone function within 1e-12 of predict: 2,000 small and 500 large random networks, 500 with scalings', () => {
  fc.assert(fc.property(networkArb, (c) => void checkStandalone(c)), { numRuns: 2000 });
  fc.assert(fc.property(networkCases(LARGE), (c) => void checkStandalone(c)), { numRuns: 500 });
  fc.assert(fc.property(scaledNetworkCases(), checkStandaloneScalings), { numRuns: 500 });
});
