/** The messages between the page and the training worker. */
import type { PlaygroundConfig } from './config.js';
import type { LayerHealth } from './hints.js';
import type { Dataset } from './datasets.js';
import type { Frame } from './session.js';

/** What comes with the matrices of a pass, a few times a second at most. */
export interface Extras {
  /** How saturated or dead each hidden layer's units are. */
  health?: LayerHealth[];
  /** [actual][predicted] counts on the test rows (or the training rows without any), for a classifier. */
  confusion?: number[][];
  /** A regression's fitted curve along each input (the others at their mean): x and the network's output. */
  curves?: { x: number[]; y: number[] }[];
}

/** How often the matrices of the pass are refreshed while playing, in milliseconds. */
export const LIVE_TRACE_MS = 250;

/** From the page to the worker. */
export type ToWorker =
  /** Build new data and a new network from the config; training stops. Frames of it carry `session`. */
  | { type: 'reset'; config: PlaygroundConfig; session: number }
  | { type: 'play' }
  | { type: 'pause' }
  /** How much training per drawn frame while playing: single steps (slow motion) or whole epochs. */
  | { type: 'speed'; speed: Speed }
  /** New learning rate, optimizer or batch for the same network, from its next step on (see sameNetwork). */
  | { type: 'retune'; config: PlaygroundConfig }
  /** One gradient step (one batch). */
  | { type: 'step' }
  /** The page has drawn the last frame: the worker may train the next slice. */
  | { type: 'drawn' }
  /** A question answered by a 'reply' with the same id. */
  | { type: 'ask'; id: number; what: 'snapshot' | 'export' }
  /** A CSV file to read and train on, with the settings for it (data set 'csv'). */
  | { type: 'csv'; file: File; config: PlaygroundConfig; session: number }
  /** A model file's text, to load in place of the current network. */
  | { type: 'load'; id: number; text: string; source: string; session: number };

/** The messages that start, stop or replace training: the worker counts them, so the page can tell stale news. */
export const CONTROLS: ReadonlySet<ToWorker['type']> = new Set(['reset', 'play', 'pause', 'step', 'load', 'csv']);

/** Stamped on what the worker sends: which session it is about, and how many control messages it had read. */
export interface Stamp {
  session: number;
  controls: number;
}

/** Training per frame: `count` single steps (each one batch) or `count` whole epochs of fit. */
export interface Speed {
  unit: 'step' | 'epoch';
  count: number;
}

/** A speed from the page's select: 'step:5' or 'epoch:20'. */
export function parseSpeed(value: string): Speed {
  const [unit, count] = value.split(':');
  return { unit: unit === 'step' ? 'step' : 'epoch', count: Math.max(1, Math.round(Number(count)) || 1) };
}

/** Why the worker stopped or refused: the library's message and error code. */
export interface Problem {
  code: string;
  message: string;
}

/** From the worker to the page. */
export type FromWorker =
  /** `pass`: the step whose batch and weights before it the frame's trace shows. */
  | ({ type: 'frame'; frame: Frame; playing: boolean; pass?: number } & Extras & Stamp)
  /** The config could not be built, or training stopped with an error (e.g. 'untrainable'). */
  | ({ type: 'problem'; problem: Problem; playing: boolean } & Stamp)
  /** The data set of a CSV file, built in the worker: the page draws it. */
  | { type: 'data'; dataset: Dataset; session: number }
  /** A model was loaded: the config now describes it. */
  | { type: 'loaded'; config: PlaygroundConfig }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; problem: Problem };

/** A thrown value as a Problem: the library's BackpropError keeps its code. */
export function toProblem(e: unknown): Problem {
  if (e instanceof Error) {
    const code = (e as Error & { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'error', message: e.message };
  }
  return { code: 'error', message: String(e) };
}
