import onnxProto from 'onnx-proto';
import { BackpropError, check } from '../errors.js';
import { LEAKY_SLOPE } from '../nn/activations.js';
import type { Network } from '../nn/network.js';
import type { ColumnScaling } from '../data/preprocess.js';
import type { ModelFile } from './model-file.js';
import { layerPrefix } from '../trace/recorder.js';

const { onnx } = onnxProto;
type INode = onnxProto.onnx.INodeProto;
type ITensor = onnxProto.onnx.ITensorProto;

export interface OnnxOptions {
  /**
   * The scaling of the raw features the network was trained on. It becomes Sub and Mul nodes in
   * front of the first layer, so the ONNX model takes raw features: X = (input − shift) · (1 / scale).
   */
  preprocess?: ColumnScaling;
  /**
   * A target scaling to undo on the outputs (a regression's), as Mul and Add nodes after the
   * last layer: output = O_out · scale + shift.
   */
  postprocess?: ColumnScaling;
  /** Element type of the graph (default 'float32', what ONNX Runtime runs everywhere; 'float64' keeps every bit). */
  dtype?: 'float32' | 'float64';
  /** Name of the graph's input, N × inputs with a symbolic batch dimension N (default 'input'). */
  inputName?: string;
  /** Name of the graph's output, N × outputs (default 'output'). */
  outputName?: string;
  /** Stored as the model's producer_version. */
  producerVersion?: string;
  /** Extra key/value pairs for the model's metadata_props (e.g. class names). */
  metadata?: Record<string, string>;
}

/** The ONNX operator set the graph uses (Softmax over the last axis alone is opset 13's). */
export const ONNX_OPSET = 13;
/** IR version 8: ONNX 1.10's, the release onnx-proto describes; it carries opset 13. */
const IR_VERSION = 8;
const FLOAT32_MAX = 3.4028234663852886e38;

/** One activation as ONNX nodes from `z` to `out`. */
function activationNodes(name: string, z: string, out: string, p: string, castTo: number, float64: boolean): INode[] {
  const attr = (a: onnxProto.onnx.IAttributeProto) => [a];
  switch (name) {
    case 'sigmoid':
      return [{ opType: 'Sigmoid', input: [z], output: [out], name: `${p}_sigmoid` }];
    case 'tanh':
      return [{ opType: 'Tanh', input: [z], output: [out], name: `${p}_tanh` }];
    case 'relu':
      return [{ opType: 'Relu', input: [z], output: [out], name: `${p}_relu` }];
    case 'leaky-relu':
      if (float64) {
        // ONNX Runtime has LeakyRelu for float32 only; as the slope is below 1,
        // leaky_relu(x) = max(x, slope·x), which gives the same bits.
        return [
          { opType: 'Mul', input: [z, 'leaky_slope'], output: [`${p}_sloped`], name: `${p}_leaky_mul` },
          { opType: 'Max', input: [z, `${p}_sloped`], output: [out], name: `${p}_leaky_max` },
        ];
      }
      return [
        {
          opType: 'LeakyRelu',
          input: [z],
          output: [out],
          name: `${p}_leaky_relu`,
          attribute: attr({ name: 'alpha', type: onnx.AttributeProto.AttributeType.FLOAT, f: LEAKY_SLOPE }),
        },
      ];
    case 'softmax':
      return [
        {
          opType: 'Softmax',
          input: [z],
          output: [out],
          name: `${p}_softmax`,
          attribute: attr({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 }),
        },
      ];
    case 'linear':
      return [{ opType: 'Identity', input: [z], output: [out], name: `${p}_linear` }];
    case 'step':
      // step(x) = 0 if x < 0, else 1: written as not(x < 0), cast back to numbers.
      return [
        { opType: 'Less', input: [z, 'zero'], output: [`${p}_negative`], name: `${p}_step_less` },
        { opType: 'Not', input: [`${p}_negative`], output: [`${p}_positive`], name: `${p}_step_not` },
        {
          opType: 'Cast',
          input: [`${p}_positive`],
          output: [out],
          name: `${p}_step_cast`,
          attribute: attr({ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: castTo }),
        },
      ];
    default:
      throw new BackpropError('option', `ONNX export: no ONNX operator for activation '${name}'`);
  }
}

/** The graph as it is built: its constants (initializers) and its nodes, in one element type. */
class GraphBuilder {
  readonly initializers: ITensor[] = [];
  readonly nodes: INode[] = [];
  readonly elemType: number;

  constructor(readonly dtype: 'float32' | 'float64') {
    this.elemType = dtype === 'float32' ? onnx.TensorProto.DataType.FLOAT : onnx.TensorProto.DataType.DOUBLE;
  }

  /** Adds a constant tensor and returns its name; float32 refuses values beyond its range. */
  constant(name: string, dims: number[], values: ArrayLike<number>): string {
    const data = Array.from(values);
    if (this.dtype === 'float32') {
      const big = data.findIndex((v) => Math.abs(v) > FLOAT32_MAX);
      if (big >= 0) {
        throw new BackpropError('value', `ONNX export: ${name} holds ${data[big]}, beyond float32's range: export with dtype 'float64'`);
      }
    }
    this.initializers.push(
      this.dtype === 'float32'
        ? { name, dims, dataType: this.elemType, floatData: data }
        : { name, dims, dataType: this.elemType, doubleData: data },
    );
    return name;
  }

  /**
   * Multiplies each column by its factor. ONNX Runtime 1.30 multiplies (and divides) a float64
   * tensor by a one-element tensor to float32 precision only, so a single column goes through a
   * 1×1 MatMul instead, which keeps every bit.
   */
  scaleColumns(input: string, name: string, factors: readonly number[], output: string): void {
    const single = factors.length === 1;
    const c = this.constant(name, single ? [1, 1] : [factors.length], factors);
    this.nodes.push({ opType: single ? 'MatMul' : 'Mul', input: [input, c], output: [output], name: `${name}_${single ? 'matmul' : 'mul'}` });
  }
}

/**
 * The network as an ONNX model (protobuf bytes): per layer MatMul, Add for the bias and the
 * activation, with the slides' names for the values (H_in, H_out, O_in, O_out), optionally
 * preceded by the feature scaling and followed by undoing a target scaling. The result runs in
 * ONNX Runtime and gives `net.predict`'s outputs (to float32 rounding unless dtype is 'float64').
 */
export function toONNX(net: Network, options: OnnxOptions = {}): Uint8Array {
  const dtype = options.dtype ?? 'float32';
  check(dtype === 'float32' || dtype === 'float64', `ONNX export: dtype must be 'float32' or 'float64', got '${String(dtype)}'`);
  const inputName = options.inputName ?? 'input';
  const outputName = options.outputName ?? 'output';
  check(inputName !== outputName && inputName !== '' && outputName !== '', 'ONNX export: the input and output need two different, non-empty names');
  const g = new GraphBuilder(dtype);
  let current = inputName;
  if (options.preprocess) current = addPreprocess(g, net, options.preprocess, current);
  current = addLayers(g, net, current);
  if (options.postprocess) addPostprocess(g, net, options.postprocess, current);
  // The last node writes the graph's output.
  g.nodes[g.nodes.length - 1].output = [outputName];
  return encodeModel(g, net, options, inputName, outputName);
}

/** X = (input − shift) / scale: the features as the network was trained on them. */
function addPreprocess(g: GraphBuilder, net: Network, preprocess: ColumnScaling, input: string): string {
  const { shift, scale } = checkScaling(preprocess, net.inputs, 'preprocess', 'the network has', 'inputs');
  g.nodes.push({ opType: 'Sub', input: [input, g.constant('feature_shift', [net.inputs], shift)], output: ['X_centred'], name: 'scale_sub' });
  g.scaleColumns('X_centred', 'feature_inverse_scale', scale.map((v) => 1 / v), 'X');
  return 'X';
}

/** Per layer H_in = X·W (+ b), H_out = f(H_in); returns the last layer's output name. */
function addLayers(g: GraphBuilder, net: Network, input: string): string {
  const n = net.layers.length;
  const uses = (name: string) => net.layers.some((l) => l.activation.name === name);
  if (uses('step')) g.constant('zero', [], [0]);
  if (uses('leaky-relu') && g.dtype === 'float64') g.constant('leaky_slope', [], [LEAKY_SLOPE]);
  let current = input;
  net.layers.forEach((layer, i) => {
    const p = layerPrefix(i, n);
    const w = g.constant(`W${i + 1}`, [layer.inputs, layer.units], layer.W.data);
    if (layer.useBias) {
      // H_in = X·W1 + b1
      const b = g.constant(`b${i + 1}`, [layer.units], layer.b);
      g.nodes.push({ opType: 'MatMul', input: [current, w], output: [`${p}_product`], name: `${p}_matmul` });
      g.nodes.push({ opType: 'Add', input: [`${p}_product`, b], output: [`${p}_in`], name: `${p}_bias` });
    } else {
      // H_in = X·W1
      g.nodes.push({ opType: 'MatMul', input: [current, w], output: [`${p}_in`], name: `${p}_matmul` });
    }
    // H_out = f(H_in)
    g.nodes.push(...activationNodes(layer.activation.name, `${p}_in`, `${p}_out`, p, g.elemType, g.dtype === 'float64'));
    current = `${p}_out`;
  });
  return current;
}

/** output = O_out · scale + shift: back to the target's units. */
function addPostprocess(g: GraphBuilder, net: Network, postprocess: ColumnScaling, input: string): void {
  const { shift, scale } = checkScaling(postprocess, net.outputs, 'postprocess', 'the network has', 'outputs');
  g.scaleColumns(input, 'target_scale', scale, 'O_rescaled');
  g.nodes.push({ opType: 'Add', input: ['O_rescaled', g.constant('target_shift', [net.outputs], shift)], output: ['O_unscaled'], name: 'unscale_add' });
}

/** The model around the graph (opset, metadata, input and output shapes), encoded. */
function encodeModel(g: GraphBuilder, net: Network, options: OnnxOptions, inputName: string, outputName: string): Uint8Array {
  const valueInfo = (name: string, width: number): onnxProto.onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: g.elemType, shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] } } },
  });
  const shape = [net.inputs, ...net.layers.map((l) => l.units)].join('-');
  const activations = net.layers.map((l) => l.activation.name).join(', ');
  const metadata: Record<string, string> = {
    architecture: shape,
    activations,
    loss: net.loss.name,
    ...(options.preprocess ? { preprocess: '(input − feature_shift) · feature_inverse_scale' } : {}),
    ...(options.postprocess ? { postprocess: 'O_out · target_scale + target_shift' } : {}),
    ...options.metadata,
  };
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'backprop',
    producerVersion: options.producerVersion ?? '',
    docString: `A ${shape} feedforward network (${activations}) trained by backprop.`,
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'backprop_network',
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(inputName, net.inputs)],
      output: [valueInfo(outputName, net.outputs)],
    },
  });
  const bytes = onnx.ModelProto.encode(model).finish();
  // A plain Uint8Array with a buffer of its own: under Node protobufjs returns a Buffer, which
  // may be a slice of a shared pool (and so unsafe to transfer to a worker).
  return new Uint8Array(bytes);
}

/**
 * The options that turn a model file's network into an ONNX model on raw feature columns: its
 * feature scaling in front, a regression target's scaling undone behind, and the feature names,
 * target and class names as metadata.
 */
export function onnxOptionsForModel(file: ModelFile): OnnxOptions {
  const { data, preprocessing } = file;
  return {
    preprocess: preprocessing.features,
    ...(preprocessing.target ? { postprocess: preprocessing.target } : {}),
    metadata: {
      features: JSON.stringify(data.features),
      target: data.target,
      kind: data.kind,
      ...(data.classes ? { classes: JSON.stringify(data.classes) } : {}),
    },
  };
}

function checkScaling(s: ColumnScaling, width: number, what: string, has: string, unit: string): ColumnScaling {
  check(
    s !== null && typeof s === 'object' && Array.isArray(s.shift) && Array.isArray(s.scale),
    `ONNX export: ${what} must be { shift: number[], scale: number[] }`,
  );
  check(
    s.shift.length === width && s.scale.length === width,
    `ONNX export: ${what} has ${s.shift.length} shifts and ${s.scale.length} scales, but ${has} ${width} ${unit}`,
    'shape',
  );
  const bad = [...s.shift, ...s.scale].findIndex((v) => !Number.isFinite(v));
  check(bad < 0, `ONNX export: ${what} holds a value that is not a finite number`, 'value');
  check(s.scale.every((v) => v !== 0), `ONNX export: ${what} has a scale of 0 (division by zero)`, 'value');
  return s;
}
