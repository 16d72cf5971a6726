/**
 * Frame time while training: the intervals between animation frames, collected while the
 * network plays, summarised as mean, 95th percentile and worst.
 */
export interface FrameStats {
  frames: number;
  mean: number;
  p95: number;
  max: number;
}

export class FrameMeter {
  private deltas: number[] = [];
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
    };
  }
}
