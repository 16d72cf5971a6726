// backprop/pytorch: a model as a PyTorch folder (safetensors weights, the model file, model.py and
// the DistributedDataParallel train.py) and back; an entry of its own, so that the core entry does
// not carry the Python sources. Browser-safe: it makes and reads bytes, the caller handles files.
export { toPyTorch, fromPyTorch, type PyTorchFolder, type PyTorchSources } from './io/pytorch.js';
export { encodeSafetensors, decodeSafetensors, type TensorToWrite, type TensorRead } from './io/safetensors.js';
