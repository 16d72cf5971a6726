import { check } from '../errors.js';
import type { FloatArray, Matrix } from '../tensor/matrix.js';
import type { Network } from '../nn/network.js';
import { evaluate } from './metrics.js';
import { hasPenalty, penaltyValue, type Penalty } from '../nn/penalty.js';
import type { Checkpoint } from './checkpoint.js';
import type { EpochInfo, FitOptions, History, StopReason } from './fit-options.js';

/**
 * What fit runs at the end of an epoch, in order, each given the epoch's figures: validation
 * (adds valLoss and valAccuracy), the user's onEpochEnd, the error threshold, early stopping.
 * The first of the last three to ask for a stop decides the reason; checkpoints come after.
 */
export interface EpochCallback {
  onEpochEnd(info: EpochInfo, history: History): StopReason | undefined;
}

/**
 * Measures the network on held-out rows after each epoch. With regularisation the validation
 * loss includes the penalty, as the training loss does (so early stopping watches one objective).
 */
export function validation(net: Network, VX: Matrix, VY: Matrix, classify: boolean, penalty?: Penalty): EpochCallback {
  return {
    onEpochEnd(info, history) {
      const e = evaluate(net, VX, VY); // one forward pass for both figures
      history.valLoss!.push((info.valLoss = hasPenalty(penalty) ? e.loss + penaltyValue(net.layers, penalty) : e.loss));
      if (classify) history.valAccuracy!.push((info.valAccuracy = e.accuracy!));
      return undefined;
    },
  };
}

/** The user's onEpochEnd: false stops with 'callback', as does an onBatchEnd that returned false in the epoch. */
export function userEpochEnd(hook: FitOptions['onEpochEnd'], stoppedByBatch: () => boolean): EpochCallback {
  return { onEpochEnd: (info) => (hook?.(info) === false || stoppedByBatch() ? 'callback' : undefined) };
}

/** Stops once the epoch's training loss is at or below `threshold`. */
export function errorThreshold(threshold: number): EpochCallback {
  return { onEpochEnd: (info) => (info.loss <= threshold ? 'threshold' : undefined) };
}

export type EarlyStoppingSettings = { patience: number; minDelta?: number; restoreBest?: boolean };

/**
 * Stops when the watched loss (validation, else training) has not improved by more than
 * minDelta for `patience` epochs, putting the best epoch's weights back unless told not to.
 */
export class EarlyStopping implements EpochCallback {
  private best = Infinity;
  private bestEpoch = 0;
  private sinceBest = 0;
  private bestWeights: FloatArray[] | undefined;

  constructor(
    private readonly net: Network,
    private readonly settings: EarlyStoppingSettings,
    resumed?: Checkpoint['early'],
  ) {
    check(Number.isInteger(settings.patience) && settings.patience > 0, `earlyStopping patience must be a whole number ≥ 1, got ${settings.patience}`);
    if (resumed) {
      this.best = resumed.best;
      this.bestEpoch = resumed.bestEpoch;
      this.sinceBest = resumed.sinceBest;
      this.bestWeights = resumed.bestParams?.map((p) => Float64Array.from(p));
    }
  }

  onEpochEnd(info: EpochInfo, history: History): StopReason | undefined {
    const watched = info.valLoss ?? info.loss;
    const params = this.net.params();
    if (watched < this.best - (this.settings.minDelta ?? 0)) {
      this.best = watched;
      this.bestEpoch = info.epoch;
      this.sinceBest = 0;
      if (this.settings.restoreBest !== false) this.bestWeights = params.map((p) => p.value.slice());
      return undefined;
    }
    if (++this.sinceBest < this.settings.patience) return undefined;
    history.bestEpoch = this.bestEpoch;
    if (this.bestWeights) params.forEach((p, i) => p.value.set(this.bestWeights![i]));
    return 'early-stopping';
  }

  /** Its bookkeeping, for a checkpoint. */
  state(): NonNullable<Checkpoint['early']> {
    const { best, bestEpoch, sinceBest, bestWeights } = this;
    return { best, bestEpoch, sinceBest, ...(bestWeights ? { bestParams: bestWeights.map((w) => Array.from(w)) } : {}) };
  }
}
