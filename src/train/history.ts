/** What a training run gives back, epoch by epoch (fit's result, and part of a checkpoint). */

export type StopReason = 'epochs' | 'threshold' | 'early-stopping' | 'callback' | 'interrupted';

export interface History {
  loss: number[];
  accuracy?: number[];
  valLoss?: number[];
  valAccuracy?: number[];
  learningRate: number[];
  /** Epochs completed. */
  epochs: number;
  stopReason: StopReason;
  /** With early stopping: the epoch whose weights were kept. */
  bestEpoch?: number;
  /** Wall-clock seconds spent in fit (over every call, when resumed). */
  seconds: number;
}
