// backprop/tfjs: a model as a TensorFlow.js Layers model (model.json and its weights file) and back,
// an entry of its own beside 'backprop/onnx' and 'backprop/pytorch'. Browser-safe: bytes in, bytes out.
export { toTFJS, fromTFJS, TFJS_WEIGHTS_FILE, type TFJSFiles, type TFJSOptions } from './io/tfjs.js';
