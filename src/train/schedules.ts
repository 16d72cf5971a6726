import { check } from '../errors.js';
import { powi } from '../nn/math.js';

/**
 * A learning-rate schedule: the rate for a (0-based) epoch given the base rate.
 * - step: lr · factor^⌊epoch / every⌋
 * - exponential: lr · rate^epoch
 * - or any function of (epoch, lr)
 */
export type Schedule =
  | { type: 'step'; every: number; factor: number }
  | { type: 'exponential'; rate: number }
  | ((epoch: number, lr: number) => number);

export function scheduledRate(schedule: Schedule | undefined, epoch: number, lr: number): number {
  if (!schedule) return lr;
  if (typeof schedule === 'function') return schedule(epoch, lr);
  if (schedule.type === 'step') return lr * powi(schedule.factor, Math.floor(epoch / schedule.every));
  return lr * powi(schedule.rate, epoch);
}

export function validateSchedule(schedule: Schedule | undefined): void {
  if (!schedule || typeof schedule === 'function') return;
  if (schedule.type === 'step') {
    check(Number.isInteger(schedule.every) && schedule.every > 0, `schedule.every must be a positive whole number, got ${schedule.every}`);
    check(schedule.factor > 0 && schedule.factor <= 1, `schedule.factor must be in (0, 1], got ${schedule.factor}`);
  } else if (schedule.type === 'exponential') {
    check(schedule.rate > 0 && schedule.rate <= 1, `schedule.rate must be in (0, 1], got ${schedule.rate}`);
  } else {
    check(false, `unknown schedule type '${(schedule as { type: string }).type}': expected step or exponential`);
  }
}
