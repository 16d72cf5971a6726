// The configuration block and layer descriptors through which src/train/kernel.ts describes
// a network, its data and its optimizer to the float64 kernel (assembly/float64.ts).

// ---- the configuration block (byte offsets from cfg) ----------------------------------------
// i32 words
export const C_LAYERS = 0; //   number of layers L
export const C_ROWS = 4; //     rows of training data
export const C_EPOCHS = 8; //   epochs to run
export const C_OPT = 12; //     optimizer: OPT_*
export const C_LOSS = 16; //    loss: LOSS_*
export const C_CLASSIFY = 20; // accuracy: 0 none, 1 one column (class = out ≥ 0.5), 2 arg max
export const C_X = 24; //       X, rows × inputs, in the data's order
export const C_Y = 28; //       Y, rows × outputs
export const C_SCHED = 32; //   per epoch: the learning rate (f64)
export const C_LOSSES = 36; //  out, per epoch: the epoch's loss, measured before the step (f64)
export const C_ACCURACY = 40; // out, per epoch: the fraction of rows classified right before the step (f64)
export const C_PARAMS = 44; //  parameter count P
export const C_W = 48; //       all parameters, in Network.params() order
export const C_G = 52; //       their gradients, same layout
export const C_S0 = 56; //      optimizer slot 0 (velocity, mean square, Adam's m), same layout
export const C_S1 = 60; //      optimizer slot 1 (Adam's v)
export const C_DESC = 64; //    layer descriptors
export const C_MEAN = 68; //    1 when the loss is a mean over rows (the epoch loss is loss·n/n)
export const C_STATUS = 72; //  out: 0 ran every epoch, 1 diverged (epoch returned + 1 not applied), 2 threshold reached
export const C_HITS_NOW = 76; // scratch: this batch's hits
export const C_BATCH = 80; //   rows per batch (the last batch of an epoch may be smaller)
export const C_ORDERS = 84; //  per epoch, the order of the rows (rows i32 each); 0: rows in order, unshuffled
export const C_BX = 88; //      batch buffers for shuffled rows: batch × inputs, batch × outputs
export const C_BY = 92;
export const C_FAILED = 96; //  out: the batch (0-based) whose loss or gradients were not finite
export const C_OUTPUTS = 100; // outputs K (the width of Y)
export const C_CORR = 104; //   Adam: per step of the call, its bias corrections c1, c2 (f64 each); 0 otherwise
// f64 words
export const C_FACTOR = 128; // squared error: L = factor · Σ(O_out − Y)²
export const C_SCALE = 136; //  W_update = scale · inᵀ·delta
export const C_THRESHOLD = 144; // stop once the epoch loss ≤ this (NaN: never)
export const C_MU = 152;
export const C_RHO = 160;
export const C_BETA1 = 168;
export const C_BETA2 = 176;
export const C_EPS = 184;
export const C_SUM = 192; //    scratch: this batch's loss sum
export const C_SCALE_TAIL = 200; // scale and factor for the last, smaller batch
export const C_FACTOR_TAIL = 208;
export const C_BATCH_LOSS = 216; // out: the last batch's loss

// ---- a layer's descriptor: 16 i32 words -----------------------------------------------------
export const D_IN = 0;
export const D_UNITS = 4;
export const D_ACT = 8;
export const D_BIAS = 12;
export const D_FUSED = 16; // the output layer's delta is O_out − Y (softmax + cross-entropy, sigmoid + BCE)
export const D_W = 20; //    inputs × units, row-major
export const D_B = 24;
export const D_DW = 28;
export const D_DB = 32;
export const D_Z = 36; //    rows × units each: z (in), a (out), error, delta
export const D_A = 40;
export const D_E = 44;
export const D_D = 48;
export const DESC_BYTES: usize = 64;

export const ACT_LINEAR = 0;
export const ACT_SIGMOID = 1;
export const ACT_TANH = 2;
export const ACT_RELU = 3;
export const ACT_LEAKY = 4;
export const ACT_SOFTMAX = 5;
export const LEAKY_SLOPE: f64 = 0.01;

export const LOSS_SQUARED = 0;
export const LOSS_CROSS_ENTROPY = 1;
export const LOSS_BINARY_CROSS_ENTROPY = 2;

export const OPT_SGD = 0;
export const OPT_MOMENTUM = 1;
export const OPT_NESTEROV = 2;
export const OPT_RMSPROP = 3;
export const OPT_ADAM = 4;

@inline export function i32At(p: usize, off: usize): i32 {
  return load<i32>(p + off);
}
@inline export function ptrAt(p: usize, off: usize): usize {
  return <usize>load<u32>(p + off);
}
@inline export function f64At(p: usize, off: usize): f64 {
  return load<f64>(p + off);
}
