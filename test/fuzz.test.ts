// Fuzzing, a few hundred cases each (test/long/fuzz.test.ts runs 10,000 of each): CSV text and
// model file text, however broken, load or fail with a BackpropError and a message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkCsv, checkModelFile, csvCaseArb, modelCaseArb } from './fuzz.js';

test('400 generated, mutated, random-byte and oddly encoded CSV inputs: a data set or a BackpropError', () => {
  let loaded = 0;
  fc.assert(fc.property(csvCaseArb, (c) => void (checkCsv(c) && loaded++)), { numRuns: 400 });
  assert.ok(loaded >= 10 && loaded <= 390, `${loaded} of 400 loaded: both outcomes should be common`);
});

test('300 mutated model files: predictions or a BackpropError', () => {
  let loaded = 0;
  fc.assert(fc.property(modelCaseArb, (c) => void (checkModelFile(c) && loaded++)), { numRuns: 300 });
  assert.ok(loaded >= 10 && loaded <= 290, `${loaded} of 300 loaded: both outcomes should be common`);
});
