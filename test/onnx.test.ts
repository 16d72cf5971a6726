// ONNX export: the exported graph, run by ONNX Runtime, gives predict's outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import onnxProto from 'onnx-proto';
import { join } from 'node:path';
import vm from 'node:vm';
import { BackpropError, Network } from '../src/index.js';
import { ONNX_OPSET, toONNX } from '../src/onnx.js';
import { networkArb, scaledNetworkCases } from './arbitraries.js';
import { checkOnnx, checkOnnxScalings } from './export-checks.js';
import { root } from './helpers.js';

const { onnx } = onnxProto;

test('ONNX Runtime runs the float32 export of random networks of every activation to predict within 1e-5', async () => {
  const seen = new Set<string>();
  await fc.assert(
    fc.asyncProperty(networkArb, async (c) => (await checkOnnx(c, 'float32')).forEach((a) => seen.add(a))),
    { numRuns: 40 },
  );
  assert.equal(seen.size, 7, `activations covered: ${[...seen].join(', ')}`);
});

test('the float64 export agrees with predict to rounding (1e-12)', async () => {
  await fc.assert(
    fc.asyncProperty(networkArb, async (c) => void (await checkOnnx(c, 'float64'))),
    { numRuns: 25 },
  );
});

// (float32 with a scaling is checked on the trained Iris model, in export-command.test.ts.)
test('with the scalings as graph nodes, the ONNX model takes raw features and gives outputs in the target units', async () => {
  await fc.assert(fc.asyncProperty(scaledNetworkCases(), checkOnnxScalings), { numRuns: 20 });
});

test('the graph: opset, symbolic batch dimension, the slides\' value names and one operator per activation', () => {
  const net = new Network({
    inputs: 3,
    layers: [
      { units: 4, activation: 'step', bias: false },
      { units: 3, activation: 'leaky-relu' },
      { units: 2, activation: 'softmax' },
    ],
  });
  const bytes = toONNX(net, { preprocess: { shift: [1, 2, 3], scale: [1, 1, 2] }, metadata: { classes: '["a","b"]' } });
  // A plain Uint8Array owning its buffer (safe to transfer), not a slice of a Node Buffer pool.
  assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype);
  assert.equal(bytes.buffer.byteLength, bytes.byteLength);
  // As plain data: every field present, 64-bit integers as numbers.
  const model = onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { longs: Number, defaults: true });
  assert.equal(model.irVersion, 8);
  assert.deepEqual(model.opsetImport.map((o: { domain: string; version: number }) => [o.domain, o.version]), [['', ONNX_OPSET]]);
  assert.equal(model.producerName, 'backprop');
  const g = model.graph;
  type ValueInfo = { name: string; type: { tensorType: { shape: { dim: { dimParam: string; dimValue: number }[] } } } };
  const dims = (v: ValueInfo) => v.type.tensorType.shape.dim.map((d) => d.dimParam || d.dimValue);
  assert.deepEqual(g.input.map((v: ValueInfo) => [v.name, dims(v)]), [['input', ['N', 3]]]);
  assert.deepEqual(g.output.map((v: ValueInfo) => [v.name, dims(v)]), [['output', ['N', 2]]]);
  assert.deepEqual(
    g.node.map((n: { opType: string }) => n.opType),
    ['Sub', 'Mul', 'MatMul', 'Less', 'Not', 'Cast', 'MatMul', 'Add', 'LeakyRelu', 'MatMul', 'Add', 'Softmax'],
  );
  assert.deepEqual(g.node[2].input, ['X', 'W1']);
  assert.deepEqual(g.node[2].output, ['H1_in']);
  assert.deepEqual(g.node[8].output, ['H2_out']);
  assert.equal(g.node[8].attribute[0].name, 'alpha');
  assert.ok(Math.abs(g.node[8].attribute[0].f - 0.01) < 1e-9);
  assert.equal(g.node[11].attribute[0].name, 'axis');
  assert.equal(g.node[11].attribute[0].i, -1);
  assert.deepEqual(g.node[11].output, ['output']);
  assert.deepEqual(g.initializer.map((t: { name: string }) => t.name).sort(), ['W1', 'W2', 'W3', 'b2', 'b3', 'feature_inverse_scale', 'feature_shift', 'zero'].sort());
  const meta = Object.fromEntries(model.metadataProps.map((p: { key: string; value: string }) => [p.key, p.value]));
  assert.equal(meta.architecture, '3-4-3-2');
  assert.equal(meta.classes, '["a","b"]');
});

test('ONNX export refuses what it cannot write, with the project\'s error', () => {
  const net = new Network({ inputs: 2, layers: [{ units: 1, activation: 'linear' }] });
  const err = (code: string, pattern: RegExp) => (e: unknown) => e instanceof BackpropError && e.code === code && pattern.test(e.message);
  assert.throws(() => toONNX(net, { preprocess: { shift: [0], scale: [1] } }), err('shape', /1 shifts and 1 scales, but the network has 2 inputs/));
  assert.throws(() => toONNX(net, { preprocess: { shift: [0, 0], scale: [1, 0] } }), err('value', /scale of 0/));
  assert.throws(() => toONNX(net, { postprocess: { shift: [NaN], scale: [1] } }), err('value', /not a finite number/));
  assert.throws(() => toONNX(net, { dtype: 'float16' as 'float32' }), err('option', /dtype/));
  net.layers[0].W.data[1] = 1e300;
  assert.throws(() => toONNX(net), err('value', /W1 holds 1e\+300, beyond float32's range: export with dtype 'float64'/));
  assert.ok(toONNX(net, { dtype: 'float64' }).length > 0);
});

test('the export runs in a browser: bundled by Vite, with no Node globals, it writes the same bytes', async () => {
  const { build } = await import('vite');
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    root,
    build: {
      write: false,
      minify: false,
      lib: { entry: join(root, 'page-entry.ts'), formats: ['iife'], name: 'backprop' },
    },
    // the page's view of the package (a module made up here): the core entry and backprop/onnx
    plugins: [
      {
        name: 'page-entry',
        resolveId: (id: string) => (id.endsWith('page-entry.ts') ? '\0page-entry' : null),
        load: (id: string) =>
          id === '\0page-entry'
            ? `export { Network } from ${JSON.stringify(join(root, 'src/index.ts'))}; export { toONNX } from ${JSON.stringify(join(root, 'src/onnx.ts'))};`
            : null,
      },
    ],
  });
  const output = (Array.isArray(result) ? result[0] : result) as { output: { type: string; code?: string }[] };
  const code = output.output.find((o) => o.type === 'chunk')!.code!;
  const page = vm.createContext({});
  vm.runInContext(code, page);
  assert.equal(vm.runInContext('typeof require + typeof Buffer + typeof process', page), 'undefinedundefinedundefined');
  const spec = { inputs: 3, seed: 5, layers: [{ units: 4, activation: 'step' }, { units: 2, activation: 'softmax' }] };
  const options = { preprocess: { shift: [1, 2, 3], scale: [2, 2, 2] } };
  const inPage = JSON.parse(vm.runInContext(`JSON.stringify(Array.from(backprop.toONNX(new backprop.Network(${JSON.stringify(spec)}), ${JSON.stringify(options)})))`, page));
  assert.deepEqual(inPage, Array.from(toONNX(new Network(spec), options)));
});
