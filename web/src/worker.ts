/// <reference lib="webworker" />
/**
 * The training worker: holds the Session and trains it, so the page stays responsive.
 * While playing it trains one slice of steps per frame and then waits until the page has
 * drawn that frame, so the animation runs at the page's pace and frames never queue up.
 */
import { CONTROLS, LIVE_TRACE_MS, toProblem, type FromWorker, type Speed, type Stamp, type ToWorker } from './protocol.js';
import { Session, type Frame, type TraceView } from './session.js';
import type { PlaygroundConfig } from './config.js';
import { exportModel, loadModel } from './model-io.js';
import { extrasOf } from './extras.js';
import { forPage, readCsv, useCsvFile } from './csv-data.js';

declare const self: DedicatedWorkerGlobalScope;

/** Resolution of the grids of node outputs drawn over the input plane. */
const GRID = 64;

let session: Session | undefined;
/** Why there is no session, when the settings could not be built. */
let refused: unknown;
let playing = false;
let speed: Speed = { unit: 'epoch', count: 1 };
/** True while a frame is on its way to the page and not yet drawn. */
let drawing = false;
const stamp: Stamp = { session: 0, controls: 0 };

function send(message: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

/** When the matrices of the pass were last sent. */
let tracedAt = 0;

/**
 * Sends a frame; `trace` is the pass of the next step, or with `taken` of the step just taken.
 * Its losses and accuracies are measured now unless playing (see Session.frameProgress).
 */
function frame(s: Session, trace?: TraceView, taken = false): void {
  const grids = s.grids(GRID);
  const progress = s.frameProgress(playing);
  const f: Frame = { ...progress, weights: s.weights(), grids, trace };
  drawing = true;
  if (trace) tracedAt = performance.now();
  // with the matrices (a few times a second at most), how saturated or dead the hidden units are;
  // a classifier's confusion matrix also with each frame measured at its own step, beside the accuracy it gives
  const fresh = progress.measuredAt === progress.step && s.confusion ? { confusion: s.confusion } : {};
  const shown = trace ? { pass: taken ? progress.step : progress.step + 1, ...extrasOf(s) } : fresh;
  send({ type: 'frame', frame: f, playing, ...shown, ...stamp }, grids ? grids.layers.map((l) => l.buffer) : []);
}

function stop(e: unknown): void {
  playing = false;
  send({ type: 'problem', problem: toProblem(e), playing, ...stamp });
}

/** Trains one slice and sends its frame; the next slice waits for 'drawn'. */
function slice(): void {
  if (!playing || !session || drawing) return;
  try {
    if (speed.unit === 'epoch') session.run(speed.count);
    else for (let i = 0; i < speed.count; i++) session.step();
  } catch (e) {
    stop(e);
    frame(session, session.traceNext());
    return;
  }
  // the matrices follow the run a few times a second: the pass of the next step
  frame(session, performance.now() - tracedAt >= LIVE_TRACE_MS ? session.traceNext() : undefined);
}

/** A CSV file that could not be read: the page hears why, and the network from before goes on under the new session number. */
function refuseCsv(e: unknown, id: number): void {
  stamp.session = id;
  playing = false;
  drawing = false;
  const p = toProblem(e);
  send({ type: 'problem', problem: { ...p, message: `${p.message}. The network shown is still the one from before.` }, playing, ...stamp });
  if (session) frame(session, session.traceNext());
}

/** A new session from a config; a CSV file's data set goes to the page to draw. */
function start(config: PlaygroundConfig, id: number): void {
  stamp.session = id;
  playing = false;
  drawing = false;
  try {
    session = new Session(config);
    refused = undefined;
  } catch (e) {
    session = undefined;
    refused = e;
    stop(e);
    return;
  }
  if (config.data.name === 'csv') send({ type: 'data', dataset: forPage(session.data), session: id });
  frame(session, session.traceNext());
}

/**
 * Reads a CSV file here, off the page's thread, chunk by chunk from the file's stream (no
 * whole-file string); a file that cannot be read leaves the network as it was. Messages that
 * come while it reads (a pause, a step) are handled between chunks.
 */
function readCsvFile(file: File, config: PlaygroundConfig, id: number): void {
  readCsv(file, file.name, file.size).then(
    (data) => {
      useCsvFile(data);
      start(config, id);
    },
    (e) => refuseCsv(e, id),
  );
}

/** One step, paused; the frame's matrices are the pass of the step taken. */
function stepOnce(s: Session): void {
  playing = false;
  const view = s.traceNext();
  let taken = true;
  try {
    s.step();
  } catch (e) {
    taken = false;
    stop(e);
  }
  frame(s, view, taken);
}

/** A model file in place of the current network; a refused file leaves that network, paused, so nothing moves under the message. */
function load(m: ToWorker & { type: 'load' }): void {
  try {
    stamp.session = m.session;
    playing = false;
    drawing = false;
    session = loadModel(m.text, m.source, session?.config);
  } catch (e) {
    send({ type: 'reply', id: m.id, ok: false, problem: toProblem(e) });
    if (session) frame(session);
    return;
  }
  send({ type: 'loaded', config: session.config });
  send({ type: 'reply', id: m.id, ok: true, value: null });
  frame(session, session.traceNext());
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  if (CONTROLS.has(m.type)) stamp.controls++;
  switch (m.type) {
    case 'reset':
      start(m.config, m.session);
      return;
    case 'csv':
      readCsvFile(m.file, m.config, m.session);
      return;
    case 'play':
      if (!session) return stop(refused);
      playing = true;
      slice();
      return;
    case 'pause':
      playing = false;
      if (session) frame(session, session.traceNext());
      return;
    case 'retune':
      if (!session) return;
      session.retune(m.config);
      // paused, the matrices show the next step's batch under the new settings
      if (!playing) frame(session, session.traceNext());
      return;
    case 'speed':
      speed = m.speed;
      return;
    case 'step':
      if (!session) return stop(refused);
      stepOnce(session);
      return;
    case 'drawn':
      drawing = false;
      // a macrotask, so a 'pause' sent while the frame was drawn is read before the next slice
      setTimeout(slice, 0);
      return;
    case 'ask':
      if (!session) {
        send({ type: 'reply', id: m.id, ok: false, problem: { code: 'state', message: 'there is no network: fix the settings first' } });
        return;
      }
      send({
        type: 'reply',
        id: m.id,
        ok: true,
        value: m.what === 'snapshot' ? session.snapshot() : exportModel(session),
      });
      return;
    case 'load':
      load(m);
      return;
  }
};
