/**
 * Frame time while training: the intervals between animation frames, collected while the
 * network plays, summarised as mean, 95th percentile and worst.
 */
export interface FrameStats {
  frames: number;
  /** Milliseconds between animation frames. */
  mean: number;
  p95: number;
  max: number;
  /** Milliseconds the page spent drawing each frame of the worker (its own JavaScript, before the browser paints). */
  drawMean: number;
  drawMax: number;
}

export class FrameMeter {
  private deltas: number[] = [];
  private draws: number[] = [];
  private last = 0;
  private running = false;

  start(): void {
    if (this.running) return;
    this.running = true;
    this.last = 0;
    const tick = (t: number) => {
      if (!this.running) return;
      if (this.last > 0) this.deltas.push(t - this.last);
      this.last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  stop(): void {
    this.running = false;
  }

  reset(): void {
    this.deltas = [];
    this.draws = [];
  }

  /** Records how long drawing one frame took, while playing. */
  drew(ms: number): void {
    if (this.running) this.draws.push(ms);
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
