/**
 * Frame time while training: the intervals between the frames the training worker delivers
 * and the page draws (not the browser's animation frames, which tick at the screen's rate
 * whether or not the network has moved), summarised as mean, 95th percentile and worst.
 */
export interface FrameStats {
  /** Intervals measured: worker frames drawn while playing, less one per run of play. */
  frames: number;
  /** Milliseconds between worker frames drawn. */
  mean: number;
  p95: number;
  max: number;
  /** Milliseconds the page spent drawing each worker frame (its own JavaScript, before the browser paints). */
  drawMean: number;
  drawMax: number;
}

export class FrameMeter {
  private deltas: number[] = [];
  private draws: number[] = [];
  private last = 0;
  private running = false;

  /** Play pressed: the next frame drawn starts a new interval. */
  start(): void {
    this.running = true;
    this.last = 0;
  }

  stop(): void {
    this.running = false;
  }

  reset(): void {
    this.deltas = [];
    this.draws = [];
    this.last = 0;
  }

  /** A worker frame was drawn at `at` (performance.now()), taking `ms` to draw. */
  drew(at: number, ms: number): void {
    if (!this.running) return;
    if (this.last > 0) this.deltas.push(at - this.last);
    this.last = at;
    this.draws.push(ms);
  }

  stats(): FrameStats | undefined {
    const d = this.deltas;
    if (d.length === 0) return undefined;
    const sorted = [...d].sort((a, b) => a - b);
    return {
      frames: d.length,
      mean: d.reduce((s, v) => s + v, 0) / d.length,
      p95: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))],
      max: sorted[sorted.length - 1],
      drawMean: this.draws.reduce((s, v) => s + v, 0) / Math.max(1, this.draws.length),
      drawMax: Math.max(0, ...this.draws),
    };
  }
}
