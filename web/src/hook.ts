/**
 * The page's scripting hook, `window.backpropPlayground`: what the end-to-end tests (and a
 * curious learner at the console) can ask the running playground.
 */
import type { PlaygroundConfig } from './config.js';
import type { FrameStats } from './frame-meter.js';
import type { Snapshot } from './session.js';

export interface PlaygroundHook {
  /** The settings the current network was built from. */
  config(): PlaygroundConfig;
  /** Weights, generator and optimizer state: everything that determines the next step. */
  snapshot(): Promise<Snapshot>;
  /** The model file's text, as the Export button saves it. */
  exportModel(): Promise<string>;
  /** The network's outputs for raw feature rows, computed in the page from the exported model file (see export-files.ts). */
  predict(rows: number[][]): Promise<number[][]>;
  /** Loads a model file's text, as the Load button does. */
  loadModel(text: string, source?: string): Promise<void>;
  /** Frame time while playing, since the last reset. */
  frameStats(): FrameStats | undefined;
  /** The training points of the decision-boundary plot: canvas position (CSS pixels) and class colour. */
  trainingDots(): { x: number; y: number; color: number[] }[];
}

declare global {
  interface Window {
    backpropPlayground: PlaygroundHook;
  }
}
