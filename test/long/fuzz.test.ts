// The long run (npm run test:long): 10,000 fuzzed CSV inputs and 10,000 fuzzed model files
// (see test/fuzz.ts), and the command line on a few dozen fuzzed CSV files: a result or one
// clear line, never a stack trace.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { checkCsv, checkModelFile, csvCaseArb, csvTextArb, modelCaseArb, mutate, mutationArb } from '../fuzz.js';
import { backprop, root, tempDir } from '../cli-run.js';

test('10,000 generated, mutated, random-byte and oddly encoded CSV inputs: a data set or a BackpropError', () => {
  let loaded = 0;
  fc.assert(fc.property(csvCaseArb, (c) => void (checkCsv(c) && loaded++)), { numRuns: 10_000 });
  assert.ok(loaded >= 500, `only ${loaded} of the inputs loaded: the generator should make more valid files`);
});

test('10,000 mutated model files: predictions (and the same model saved again) or a BackpropError', () => {
  let loaded = 0;
  fc.assert(fc.property(modelCaseArb, (c) => void (checkModelFile(c) && loaded++)), { numRuns: 10_000 });
  assert.ok(loaded >= 500, `only ${loaded} of the files loaded: the mutations should leave more files valid`);
});

describe('the command line on fuzzed CSV files', { concurrency: 4 }, () => {
  const dir = tempDir();
  const model = join(dir, 'iris.json');
  const iris = readFileSync(join(root, 'data', 'iris.csv'), 'utf8');
  // Generated and mutated files for train; random bytes; the Iris file mutated, for predict and evaluate.
  const generated = fc.sample(csvTextArb, 24);
  const bytes = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 300 }), 6);
  const irises = fc.sample(fc.array(mutationArb, { minLength: 1, maxLength: 3 }), 12).map((ms) => mutate(iris, ms));

  before(async () => {
    const r = await backprop(['train', 'iris', '--epochs', '5', '--out', model, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
  });

  const runs: { name: string; file: string; content: string | Uint8Array; args: (file: string) => string[] }[] = [
    ...generated.map((content, i) => ({ name: `train on generated file ${i + 1}`, file: `gen${i}.csv`, content, args: (f: string) => ['train', f, '--epochs', '2', '--quiet'] })),
    ...bytes.map((content, i) => ({ name: `train on random bytes ${i + 1}`, file: `bytes${i}.csv`, content, args: (f: string) => ['train', f, '--epochs', '2', '--quiet'] })),
    ...irises.map((content, i) => ({
      name: `${i % 2 ? 'evaluate' : 'predict'} on mutated Iris ${i + 1}`,
      file: `iris${i}.csv`,
      content,
      args: (f: string) => (i % 2 ? ['evaluate', model, f] : ['predict', model, f]),
    })),
  ];
  for (const run of runs) {
    test(`${run.name}: a result, or one line and exit code 1`, async () => {
      const path = join(dir, run.file);
      writeFileSync(path, run.content);
      const r = await backprop(run.args(path));
      const shown = typeof run.content === 'string' ? JSON.stringify(run.content.slice(0, 400)) : `${run.content.length} bytes`;
      assert.ok(r.code === 0 || r.code === 1, `exit code ${r.code} on ${shown}:\n${r.stderr}`);
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, `a stack trace on ${shown}`);
      if (r.code === 1) assert.match(r.stderr, /^backprop: [^\n]+\n$/, `one line on ${shown}`);
    });
  }
});
