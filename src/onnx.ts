// backprop/onnx: ONNX export, an entry of its own so that importing 'backprop' does not load the
// protobuf encoder (onnx-proto and protobufjs: about 10 MB of memory in Node, 120 KB in a bundle).
export { toONNX, onnxOptionsForModel, ONNX_OPSET, type OnnxOptions } from './io/onnx.js';
export type { ColumnScaling } from './data/preprocess.js';
