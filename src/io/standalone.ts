import { check } from '../errors.js';
import { LEAKY_SLOPE } from '../nn/activations.js';
import type { Network } from '../nn/network.js';
import { layerPrefix } from '../trace/recorder.js';
import type { ColumnScaling } from '../data/preprocess.js';

export interface StandaloneOptions {
  /**
   * 'expression' (default): the source is one JavaScript expression whose value is the predict
   * function, e.g. `const predict = <source>;`. 'module': an ES module whose default export
   * (and named export `predict`) is the function.
   */
  format?: 'expression' | 'module';
  /** The feature scaling the network was trained on, applied first: x' = (x − shift) / scale. */
  preprocess?: ColumnScaling;
  /** A target scaling to undo on the outputs: y = out · scale + shift. */
  postprocess?: ColumnScaling;
}

/** A number as JavaScript source that reads back to the same double (keeping −0). */
function literal(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

function arrayLiteral(values: ArrayLike<number>): string {
  return `[${Array.from(values, literal).join(', ')}]`;
}

/** The lines that apply an activation to z (length `units`) in place, as `predict` computes it. */
function activationSource(name: string, units: number): string[] {
  const each = (expr: string) => [`for (let j = 0; j < ${units}; j++) { const v = z[j]; z[j] = ${expr}; }`];
  switch (name) {
    case 'sigmoid':
      return each('1 / (1 + Math.exp(-v))');
    case 'tanh':
      return each('Math.tanh(v)');
    case 'relu':
      return each('v > 0 ? v : 0');
    case 'leaky-relu':
      return each(`v > 0 ? v : ${literal(LEAKY_SLOPE)} * v`);
    case 'step':
      return each('v < 0 ? 0 : 1');
    case 'linear':
      return [];
    case 'softmax':
      return [
        `let max = -Infinity;`,
        `for (let j = 0; j < ${units}; j++) if (z[j] > max) max = z[j];`,
        `let sum = 0;`,
        `for (let j = 0; j < ${units}; j++) { const e = Math.exp(z[j] - max); z[j] = e; sum += e; }`,
        `for (let j = 0; j < ${units}; j++) z[j] /= sum;`,
      ];
    default:
      throw new Error(`standalone export: no source for activation '${name}'`);
  }
}

/** The lines, each indented by `depth` two-space steps. */
function indent(lines: string[], depth: number): string[] {
  const pad = '  '.repeat(depth);
  return lines.map((l) => pad + l);
}

function checkScaling(s: ColumnScaling, width: number, what: string): void {
  check(
    s !== null && typeof s === 'object' && Array.isArray(s.shift) && Array.isArray(s.scale),
    `standalone export: ${what} must be { shift: number[], scale: number[] }`,
  );
  check(s.shift.length === width && s.scale.length === width, `standalone export: ${what} needs ${width} shifts and scales`, 'shape');
  check([...s.shift, ...s.scale].every(Number.isFinite), `standalone export: ${what} holds a value that is not a finite number`, 'value');
}

/** One layer's weights (into `constants`) and its pass (into `body`): z = a·W + b, a = f(z). */
function layerSource(layer: Network['layers'][number], i: number, n: number, constants: string[], body: string[]): void {
  const p = layerPrefix(i, n);
  const inName = i === 0 ? 'X' : `${layerPrefix(i - 1, n)}_out`;
  const W = `W${i + 1}`;
  const b = `b${i + 1}`;
  const { units, inputs } = layer;
  constants.push(`// ${W}: ${inputs}×${units} (inputs × units), row by row`);
  constants.push(`const ${W} = ${arrayLiteral(layer.W.data)};`);
  if (layer.useBias) constants.push(`const ${b} = ${arrayLiteral(layer.b)};`);
  body.push(
    `// ${p}_in = ${inName}·${W}${layer.useBias ? ` + ${b}` : ''};  ${p}_out = ${layer.activation.name}(${p}_in)`,
    `{`,
    ...indent(
      [
        `const z = new Float64Array(${units});`,
        `for (let k = 0; k < ${inputs}; k++) {`,
        `  const ak = a[k];`,
        `  if (ak === 0) continue;`,
        `  for (let j = 0; j < ${units}; j++) z[j] += ak * ${W}[k * ${units} + j];`,
        `}`,
        ...(layer.useBias ? [`for (let j = 0; j < ${units}; j++) z[j] += ${b}[j];`] : []),
        ...activationSource(layer.activation.name, units),
        `a = z;`,
      ],
      1,
    ),
    `}`,
  );
}

/**
 * JavaScript source of a dependency-free predict function with the weights and activations
 * written into it. `predict(row)` returns the outputs for one row of features; `predict(rows)`
 * an array of them. It does what `net.predict` does, in the same order, but with the page's
 * Math.exp and Math.tanh rather than the library's own (src/nn/math.ts), so the numbers agree
 * to the last bit where no exp or tanh is involved (relu, linear), and within a few ulp otherwise.
 */
export function toFunction(net: Network, options: StandaloneOptions = {}): string {
  const format = options.format ?? 'expression';
  check(format === 'expression' || format === 'module', `standalone export: format must be 'expression' or 'module', got '${String(format)}'`);
  const n = net.layers.length;
  const shape = [net.inputs, ...net.layers.map((l) => l.units)].join('-');
  const constants: string[] = [];
  const body: string[] = [];

  if (options.preprocess) {
    checkScaling(options.preprocess, net.inputs, 'preprocess');
    constants.push(`const shift = ${arrayLiteral(options.preprocess.shift)};`);
    constants.push(`const scale = ${arrayLiteral(options.preprocess.scale)};`);
    body.push(
      `// X = (x − shift) / scale`,
      `let a = new Float64Array(${net.inputs});`,
      `for (let k = 0; k < ${net.inputs}; k++) a[k] = (x[k] - shift[k]) / scale[k];`,
    );
  } else {
    body.push('let a = x;');
  }
  net.layers.forEach((layer, i) => layerSource(layer, i, n, constants, body));
  if (options.postprocess) {
    checkScaling(options.postprocess, net.outputs, 'postprocess');
    constants.push(`const targetShift = ${arrayLiteral(options.postprocess.shift)};`);
    constants.push(`const targetScale = ${arrayLiteral(options.postprocess.scale)};`);
    body.push(`// back to the target's units: y = O_out · scale + shift`);
    body.push(`for (let j = 0; j < ${net.outputs}; j++) a[j] = a[j] * targetScale[j] + targetShift[j];`);
  }
  body.push('return Array.from(a);');

  const lines = [
    '(() => {',
    ...indent(
      [
        `// A ${shape} network (${net.layers.map((l) => l.activation.name).join(', ')}) exported by backprop.`,
        ...constants,
        'function one(x) {',
        ...indent(
          [
            `if (x == null || x.length !== ${net.inputs}) {`,
            `  throw new Error('predict: expected a row of ${net.inputs} numbers, got ' + (x == null ? x : x.length === 1 ? '1 value' : x.length + ' values'));`,
            '}',
            `for (let k = 0; k < ${net.inputs}; k++) {`,
            `  if (typeof x[k] !== 'number' || !Number.isFinite(x[k])) {`,
            `    throw new Error('predict: input ' + (k + 1) + ' is ' + x[k] + ', expected a finite number');`,
            '  }',
            '}',
            ...body,
          ],
          1,
        ),
        '}',
        `/** Outputs for one row of ${net.inputs} features, or an array of outputs for an array of rows. */`,
        'return function predict(input) {',
        `  if (input == null || typeof input.length !== 'number') throw new Error('predict: expected a row of numbers or an array of rows');`,
        `  if (input.length === 0) return [];`,
        `  return typeof input[0] === 'number' ? one(input) : Array.from(input, one);`,
        '};',
      ],
      1,
    ),
    '})()',
  ];
  const fn = lines.join('\n');
  return format === 'module' ? `const predict = ${fn};\nexport { predict };\nexport default predict;\n` : fn;
}
