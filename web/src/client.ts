/** The page's side of the training worker: messages out, frames and problems in, questions answered by id. */
import { CONTROLS, type Extras, type FromWorker, type Problem, type ToWorker } from './protocol.js';
import type { Frame } from './session.js';
import type { Dataset } from './datasets.js';
import type { PlaygroundConfig } from './config.js';

export interface WorkerEvents {
  /** `playing` is undefined when the worker has not yet read the latest play, pause or step. */
  /** `pass` and `health` come with the matrices of a pass: its step, and the hidden units' health. */
  frame(frame: Frame, playing: boolean | undefined, pass: number | undefined, extras: Extras): void;
  problem(problem: Problem, playing: boolean | undefined): void;
  loaded(config: PlaygroundConfig): void;
  /** A CSV file's data set, built in the worker. */
  data(dataset: Dataset): void;
}

/** A failed question to the worker, with the library's message. */
export class WorkerProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

/**
 * Sends commands and hands on what the worker reports. Frames of an earlier session are
 * dropped, and a report's playing flag counts only once the worker has read every control
 * message sent so far (a frame sent just before a pause arrived says nothing about the pause).
 */
export class TrainerClient {
  private readonly worker: Worker;
  private next = 1;
  private session = 0;
  private controls = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(events: WorkerEvents) {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const m = event.data;
      switch (m.type) {
        case 'frame':
          if (m.session === this.session) events.frame(m.frame, m.controls === this.controls ? m.playing : undefined, m.pass, m);
          return;
        case 'problem':
          if (m.session === this.session) events.problem(m.problem, m.controls === this.controls ? m.playing : undefined);
          return;
        case 'data':
          if (m.session === this.session) events.data(m.dataset);
          return;
        case 'loaded':
          events.loaded(m.config);
          return;
        case 'reply': {
          const w = this.waiting.get(m.id);
          this.waiting.delete(m.id);
          if (m.ok) w?.resolve(m.value);
          else w?.reject(new WorkerProblem(m.problem));
          return;
        }
      }
    };
    this.worker.onerror = (e) => events.problem({ code: 'worker', message: `the training worker failed: ${e.message}` }, false);
  }

  send(message: ToWorker): void {
    if (CONTROLS.has(message.type)) this.controls++;
    this.worker.postMessage(message);
  }

  /** Starts a new session from a config: what the old one still sends is dropped. */
  reset(config: PlaygroundConfig): void {
    this.send({ type: 'reset', config, session: ++this.session });
  }

  /** Sends a CSV file to read and train on: what the old session still sends is dropped. */
  csv(file: File, config: PlaygroundConfig): void {
    this.send({ type: 'csv', file, config, session: ++this.session });
  }

  /** Asks the worker for its snapshot or the model file's text. */
  ask<T>(what: 'snapshot' | 'export'): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ type: 'ask', id, what });
    });
  }

  /** Sends a model file's text to load in place of the current network. */
  load(text: string, source: string): Promise<void> {
    const id = this.next++;
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve: () => resolve(), reject });
      this.send({ type: 'load', id, text, source, session: ++this.session });
    });
  }
}
