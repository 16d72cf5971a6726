// Fuzzing the PyTorch and TF.js imports: a PyTorch folder's model.safetensors and a TF.js model's
// model.json and weights file, each damaged at random (bytes flipped, cut short, header fields
// changed), either import or are refused with a one-line BackpropError naming the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BackpropError } from '../src/index.js';
import { fromPyTorch, toPyTorch } from '../src/pytorch.js';
import { fromTFJS, toTFJS } from '../src/tfjs.js';
import { interopCase, iris } from './interop-cases.js';

const model = interopCase('iris', iris, { layers: [3] }).model;
const folder = toPyTorch(model);
const tfjs = toTFJS(model);

/** Runs `load`: it loads, or throws a BackpropError whose one-line message names `file`. */
function loadsOrNames(load: () => void, file: string): void {
  try {
    load();
  } catch (err) {
    if (!(err instanceof BackpropError)) throw new Error(`expected a BackpropError, got ${(err as Error)?.stack ?? String(err)}`);
    assert.ok(!err.message.includes('\n'), `one line: ${err.message}`);
    assert.ok(err.message.includes(file), `the message names ${file}: ${err.message}`);
  }
}

/** Bytes with some positions overwritten, and sometimes cut short. */
const damaged = (bytes: Uint8Array) =>
  fc
    .record({ edits: fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), cut: fc.option(fc.nat(bytes.length)) })
    .map(({ edits, cut }) => {
      const out = bytes.slice(0, cut ?? bytes.length);
      for (const [at, v] of edits) if (at < out.length) out[at] = v;
      return out;
    });

test('a damaged model.safetensors imports or is refused in one line naming it', () => {
  fc.assert(
    fc.property(damaged(folder['model.safetensors']), (bytes) => loadsOrNames(() => fromPyTorch(folder['model.json'], bytes, { safetensors: 'w.safetensors' }), 'w.safetensors')),
    { numRuns: 400, seed: 15 },
  );
});

test('a TF.js model.json with a changed field, or a damaged weights file, imports or is refused in one line naming model.json', () => {
  const json = JSON.parse(tfjs['model.json']);
  const paths: (string | number)[][] = [];
  const walk = (x: unknown, path: (string | number)[]) => {
    if (x !== null && typeof x === 'object') for (const [k, v] of Object.entries(x)) walk(v, [...path, Array.isArray(x) ? Number(k) : k]);
    else paths.push(path);
  };
  walk(json, []);
  const values = fc.oneof(fc.constant(null), fc.integer({ min: -2, max: 9 }), fc.constantFrom('elu', 'Conv2D', 'float16', ''), fc.constant([]));
  fc.assert(
    fc.property(fc.constantFrom(...paths), values, damaged(tfjs['model.weights.bin']), (path, value, weights) => {
      const changed = structuredClone(json);
      let at = changed;
      for (const k of path.slice(0, -1)) at = at[k];
      at[path[path.length - 1]] = value;
      loadsOrNames(() => fromTFJS(JSON.stringify(changed), () => weights, 'tf/model.json'), 'tf/model.json');
    }),
    { numRuns: 400, seed: 15 },
  );
});
