/** The page's side of the training worker: messages out, frames and problems in, questions answered by id. */
import type { FromWorker, Problem, ToWorker } from './protocol.js';
import type { Frame } from './session.js';
import type { PlaygroundConfig } from './config.js';

export interface WorkerEvents {
  frame(frame: Frame, playing: boolean): void;
  problem(problem: Problem, playing: boolean): void;
  loaded(config: PlaygroundConfig): void;
}

/** A failed question to the worker, with the library's message. */
export class WorkerProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

export class TrainerClient {
  private readonly worker: Worker;
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(events: WorkerEvents) {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const m = event.data;
      switch (m.type) {
        case 'frame':
          events.frame(m.frame, m.playing);
          return;
        case 'problem':
          events.problem(m.problem, m.playing);
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
    this.worker.postMessage(message);
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
      this.send({ type: 'load', id, text, source });
    });
  }
}
