import cliProgress from 'cli-progress';

/** What a progress display is told after each epoch. */
export interface EpochProgress {
  epoch: number;
  loss: number;
  accuracy?: number;
  valLoss?: number;
  testLoss?: number;
}

export interface Progress {
  epoch(p: EpochProgress): void;
  /** Ends the display (after the last epoch, early stopping, or an error). */
  done(): void;
}

/**
 * Training progress on `stream` (stderr, so stdout keeps only results): a bar with loss,
 * accuracy and ETA on a terminal; about ten plain lines when the stream is a file or a pipe;
 * nothing with `quiet`.
 */
export function createProgress(epochs: number, opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet) return { epoch() {}, done() {} };
  if (stream.isTTY) return barProgress(epochs, stream);
  return lineProgress(epochs, stream);
}

function describe(p: EpochProgress): string {
  const parts = [`loss ${fmt(p.loss)}`];
  if (p.accuracy !== undefined) parts.push(`accuracy ${p.accuracy.toFixed(3)}`);
  if (p.valLoss !== undefined) parts.push(`validation loss ${fmt(p.valLoss)}`);
  if (p.testLoss !== undefined) parts.push(`test loss ${fmt(p.testLoss)}`);
  return parts.join('  ');
}

function fmt(x: number): string {
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toFixed(4) : x.toExponential(3);
}

function barProgress(epochs: number, stream: NodeJS.WriteStream): Progress {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'epoch {value}/{total} {bar} {stats} | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(epochs, 0, { stats: '' });
  let stopped = false;
  return {
    epoch(p) {
      bar.update(p.epoch, { stats: describe(p) });
    },
    done() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}

function lineProgress(epochs: number, stream: NodeJS.WriteStream): Progress {
  const every = Math.max(1, Math.ceil(epochs / 10));
  let last: EpochProgress | undefined;
  let printed = 0;
  const print = (p: EpochProgress) => {
    stream.write(`epoch ${String(p.epoch).padStart(String(epochs).length)}/${epochs}  ${describe(p)}\n`);
    printed = p.epoch;
  };
  return {
    epoch(p) {
      last = p;
      if (p.epoch === 1 || p.epoch % every === 0 || p.epoch === epochs) print(p);
    },
    done() {
      if (last && printed !== last.epoch) print(last);
    },
  };
}
