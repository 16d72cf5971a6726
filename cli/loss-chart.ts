import { blue, plot, reset, yellow } from 'asciichart';

/** Evenly spaced samples of `values` (always keeping the last), at most `width` of them. */
export function downsample(values: number[], width: number): number[] {
  if (values.length <= width) return values.slice();
  const out: number[] = [];
  for (let i = 0; i < width; i++) out.push(values[Math.round((i * (values.length - 1)) / (width - 1))]);
  return out;
}

/**
 * The loss curves as a terminal line chart (asciichart): the training loss and, when there is
 * one, the validation or test loss. On a colour terminal both share one chart; without colour
 * each gets its own, so they cannot be confused.
 */
export function lossChart(
  train: number[],
  other: { name: string; values: number[] } | undefined,
  opts: { color: boolean; width?: number; height?: number },
): string {
  const width = opts.width ?? 60;
  const height = opts.height ?? 10;
  const curves = [{ name: 'training loss', values: downsample(train, width) }];
  if (other && other.values.length) curves.push({ name: `${other.name} loss`, values: downsample(other.values, width) });
  if (train.length < 2 || !curves.some((c) => c.values.some(Number.isFinite))) return '';
  const format = (x: number) => (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toFixed(4) : x.toExponential(2)).padStart(10);
  const pad = ' '.repeat(12);
  const span = `epochs 1–${train.length}`;
  if (opts.color) {
    const colors = [blue, yellow];
    const chart = plot(curves.map((c) => c.values), { height, colors, format });
    const legend = curves.map((c, i) => `${colors[i]}──${reset} ${c.name}`).join('   ');
    return `${chart}\n${pad}${span}: ${legend}`;
  }
  const h = curves.length > 1 ? Math.max(3, Math.round(height * 0.6)) : height;
  return curves.map((c) => `${plot(c.values, { height: h, format })}\n${pad}${c.name}, ${span}`).join('\n\n');
}
