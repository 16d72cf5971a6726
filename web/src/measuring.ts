/**
 * When the playground measures loss and accuracy while playing. A measurement is exact: one
 * forward pass over every training row and every test row (the library's evaluate). For the small
 * sets that costs well under a millisecond and is done every frame; for a file of 200,000 rows it
 * costs far more than the steps of a frame, so it is done only now and then, and the frames in
 * between carry the last figures with the step they were measured at.
 */

/** A measurement that took less than this (milliseconds) is repeated every frame. */
export const CHEAP_MS = 2;
/** Between two costly measurements, at least this many times what the last one took: measuring then takes at most a fifth of the time. */
export const RATIO = 4;
/** The figures are at most this old (milliseconds) when the next frame is sent, whatever a measurement costs. */
export const MAX_AGE_MS = 3000;

/** The last measurement: what it cost and when it ended (milliseconds, on the same clock as `now`). */
export interface LastMeasurement {
  cost: number;
  end: number;
}

/**
 * Whether a frame sent at `now` while playing measures afresh. Yes when the last measurement was
 * cheap; else once the time since it ended is RATIO times what it took (so at most 1/(1 + RATIO)
 * of the worker's time goes into measuring), or MAX_AGE_MS, whichever comes first. The age cap wins
 * only when a measurement takes more than MAX_AGE_MS / RATIO (750 ms): the figures then stay a few
 * seconds old at most, at the price of a larger share of the time. Frames after a pause, a single
 * step or a change of settings are measured whatever this says (see Session.frameProgress).
 */
export function measureDue(last: LastMeasurement | undefined, now: number): boolean {
  if (!last) return true;
  const since = now - last.end;
  return last.cost < CHEAP_MS || since >= RATIO * last.cost || since >= MAX_AGE_MS;
}

/** What the page says beside the figures: the step they were measured at when older than the step shown, else nothing. */
export function measuredNote(p: { step: number; measuredAt: number }): string {
  return p.measuredAt < p.step ? `measured at step ${p.measuredAt.toLocaleString('en-US')}` : '';
}
