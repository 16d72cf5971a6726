// The one source of the float64 kernel's configuration block, layer descriptor and codes.
// scripts/build-wasm.mjs writes it out twice, as assembly/layout64.ts (for the AssemblyScript
// kernel) and as src/engine/layout64.ts (for the engine that fills the block), so the two sides
// cannot drift. Add a field at the end of its list: every offset follows from the order.

/** The block's i32 words, 4 bytes each from offset 0, with what each holds. */
export const CONFIG_I32 = [
  ['layers', 'number of layers L'],
  ['rows', 'rows of training data'],
  ['epochs', 'epochs to run'],
  ['opt', 'optimizer: OPT_*'],
  ['loss', 'loss: LOSS_*'],
  ['classify', 'accuracy: 0 none, 1 one column (class = out ≥ 0.5), 2 arg max'],
  ['x', 'X, rows × inputs, in the data\'s order'],
  ['y', 'Y, rows × outputs'],
  ['sched', 'per epoch: the learning rate (f64)'],
  ['losses', 'out, per epoch: the epoch\'s loss, measured before the step (f64)'],
  ['accuracy', 'out, per epoch: the fraction of rows classified right before the step (f64)'],
  ['params', 'parameter count P'],
  ['w', 'all parameters, in Network.params() order'],
  ['g', 'their gradients, same layout'],
  ['s0', 'optimizer slot 0 (velocity, mean square, Adam\'s m), same layout'],
  ['s1', 'optimizer slot 1 (Adam\'s v)'],
  ['desc', 'layer descriptors'],
  ['mean', '1 when the loss is a mean over rows (the epoch loss is loss·n/n)'],
  ['status', 'out: 0 ran every epoch, 1 diverged (epoch returned + 1 not applied), 2 threshold reached'],
  ['hitsNow', 'scratch: this batch\'s hits'],
  ['batch', 'rows per batch (the last batch of an epoch may be smaller)'],
  ['orders', 'per epoch, the order of the rows (rows i32 each); 0: rows in order, unshuffled'],
  ['bx', 'batch buffer for shuffled rows: batch × inputs'],
  ['by', 'batch buffer for shuffled rows: batch × outputs'],
  ['failed', 'out: the batch (0-based) whose loss or gradients were not finite'],
  ['outputs', 'outputs K (the width of Y)'],
  ['corr', 'Adam: per step of the call, its bias corrections c1, c2 (f64 each); 0 otherwise'],
];

/** Where the f64 words start (after the i32 words, 8-byte aligned, with room to grow). */
export const CONFIG_F64_START = 128;

/** The block's f64 words, 8 bytes each from CONFIG_F64_START. */
export const CONFIG_F64 = [
  ['factor', 'squared error: L = factor · Σ(O_out − Y)²'],
  ['scale', 'W_update = scale · inᵀ·delta'],
  ['threshold', 'stop once the epoch loss ≤ this (NaN: never)'],
  ['mu', 'momentum μ'],
  ['rho', 'RMSprop ρ'],
  ['beta1', 'Adam β1'],
  ['beta2', 'Adam β2'],
  ['eps', 'ε of RMSprop and Adam'],
  ['sum', 'scratch: this batch\'s loss sum'],
  ['scaleTail', 'scale for the last, smaller batch'],
  ['factorTail', 'factor for the last, smaller batch'],
  ['batchLoss', 'out: the last batch\'s loss'],
  ['l1', 'regularisation: loss += l1·Σ|W|, W_update += l1·sign(W) (0: none)'],
  ['l2', 'regularisation: loss += l2/2·ΣW², W_update += l2·W (0: none)'],
];

/** Bytes of the whole block. */
export const CONFIG_BYTES = 256;

/** A layer's descriptor: i32 words. */
export const DESCRIPTOR = [
  ['in', 'inputs of the layer'],
  ['units', 'units of the layer'],
  ['act', 'activation: ACT_*'],
  ['bias', '1 when the layer has a bias row'],
  ['fused', 'the output layer\'s delta is O_out − Y (softmax + cross-entropy, sigmoid + BCE)'],
  ['w', 'W, inputs × units, row-major'],
  ['b', 'b'],
  ['dw', 'W\'s gradient'],
  ['db', 'b\'s gradient'],
  ['z', 'rows × units: z (in)'],
  ['a', 'rows × units: a (out)'],
  ['e', 'rows × units: error'],
  ['d', 'rows × units: delta'],
];

/** Bytes of one descriptor. */
export const DESCRIPTOR_BYTES = 64;

/** Codes by the library's names (the activations, losses and optimizers the kernel runs). */
export const CODES = {
  ACT: { linear: 0, sigmoid: 1, tanh: 2, relu: 3, 'leaky-relu': 4, softmax: 5 },
  /** by the activation a loss fuses with (none: squared error) */
  LOSS: { squared: 0, 'cross-entropy': 1, 'binary-cross-entropy': 2 },
  OPT: { sgd: 0, momentum: 1, nesterov: 2, rmsprop: 3, adam: 4 },
};

/** The optimizer's state arrays per parameter. */
export const SLOTS = { sgd: 0, momentum: 1, nesterov: 1, rmsprop: 1, adam: 2 };

/** The slope of leaky relu for negative inputs (the library's LEAKY_SLOPE; a test checks they agree). */
export const LEAKY_SLOPE = 0.01;

const snake = (s) => s.replace(/[A-Z]/g, (c) => `_${c}`).replace(/-/g, '_').toUpperCase();
/** AssemblyScript's names of the codes: ACT_LEAKY for 'leaky-relu', LOSS_SQUARED, … */
const codeName = (group, name) => `${group}_${name === 'leaky-relu' ? 'LEAKY' : snake(name)}`;

/** Every field's byte offset, by name. */
export function offsets() {
  const config = {};
  CONFIG_I32.forEach(([name], i) => (config[name] = 4 * i));
  CONFIG_F64.forEach(([name], i) => (config[name] = CONFIG_F64_START + 8 * i));
  const descriptor = {};
  DESCRIPTOR.forEach(([name], i) => (descriptor[name] = 4 * i));
  if (4 * CONFIG_I32.length > CONFIG_F64_START || CONFIG_F64_START + 8 * CONFIG_F64.length > CONFIG_BYTES) throw new Error('kernel-layout: the configuration block overflows');
  if (4 * DESCRIPTOR.length > DESCRIPTOR_BYTES) throw new Error('kernel-layout: the descriptor overflows');
  return { config, descriptor };
}

const HEADER = '// Generated by scripts/build-wasm.mjs from scripts/kernel-layout.mjs: do not edit.\n';

/** assembly/layout64.ts */
export function assemblyScriptSource() {
  const { config, descriptor } = offsets();
  const out = [HEADER, '// The configuration block and layer descriptors through which src/engine/wasm64.ts describes', '// a network, its data and its optimizer to the float64 kernel (assembly/float64.ts).', ''];
  out.push('// ---- the configuration block (byte offsets from cfg): i32 words, then f64 words ----');
  for (const [name, doc] of [...CONFIG_I32, ...CONFIG_F64]) out.push(`export const C_${snake(name)} = ${config[name]}; // ${doc}`);
  out.push('', '// ---- a layer\'s descriptor: i32 words ----');
  for (const [name, doc] of DESCRIPTOR) out.push(`export const D_${snake(name)} = ${descriptor[name]}; // ${doc}`);
  out.push(`export const DESC_BYTES: usize = ${DESCRIPTOR_BYTES};`, '');
  for (const [group, codes] of Object.entries(CODES)) {
    for (const [name, code] of Object.entries(codes)) out.push(`export const ${codeName(group, name)} = ${code};`);
    out.push('');
  }
  out.push(`export const LEAKY_SLOPE: f64 = ${LEAKY_SLOPE};`, '');
  out.push('@inline export function i32At(p: usize, off: usize): i32 {', '  return load<i32>(p + off);', '}');
  out.push('@inline export function ptrAt(p: usize, off: usize): usize {', '  return <usize>load<u32>(p + off);', '}');
  out.push('@inline export function f64At(p: usize, off: usize): f64 {', '  return load<f64>(p + off);', '}', '');
  return out.join('\n');
}

/** src/engine/layout64.ts */
export function typeScriptSource() {
  const { config, descriptor } = offsets();
  const json = (v) => JSON.stringify(v, null, 2);
  return [
    HEADER,
    '/** The float64 kernel\'s configuration block (assembly/layout64.ts): byte offsets from its start. */',
    `export const CONFIG = ${json(config)} as const;`,
    `/** Bytes of the configuration block. */\nexport const CONFIG_BYTES = ${CONFIG_BYTES};`,
    '/** A layer descriptor\'s i32 words: byte offsets. */',
    `export const DESCRIPTOR = ${json(descriptor)} as const;`,
    `/** Bytes of one layer descriptor. */\nexport const DESCRIPTOR_BYTES = ${DESCRIPTOR_BYTES};`,
    '/** The kernel\'s codes for activations, losses (by the activation they fuse with) and optimizers. */',
    `export const ACT_CODES: Readonly<Record<string, number>> = ${json(CODES.ACT)};`,
    `export const LOSS_CODES: Readonly<Record<string, number>> = ${json(CODES.LOSS)};`,
    `export const OPT_CODES: Readonly<Record<string, number>> = ${json(CODES.OPT)};`,
    `/** The optimizer's state arrays per parameter. */\nexport const SLOT_COUNTS: Readonly<Record<string, number>> = ${json(SLOTS)};`,
    `/** Leaky relu's slope as the kernel has it. */\nexport const KERNEL_LEAKY_SLOPE = ${LEAKY_SLOPE};`,
    '',
  ].join('\n');
}
