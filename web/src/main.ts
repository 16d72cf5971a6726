/**
 * The playground page: the controls edit a config, the worker trains the library network it
 * describes, and each frame it sends is drawn as the diagram, the boundary, the loss chart
 * and the matrices of the pass.
 */
import { DEFAULT_CONFIG, leaveSlides, MAX_LAYERS, sameNetwork, slidesConfig, wantsOneHot, type PlaygroundConfig } from './config.js';
import { byId, Controls } from './controls.js';
import type { Dataset } from './datasets.js';
import { datasetFor, useCsvDataset } from './csv-data.js';
import { setupCsvDrop } from './csv-drop.js';
import { download, exportFiles, offerFiles, predictRaw } from './export-files.js';
import { drawConfusion, drawCurve } from './views/summary.js';
import { MAX_CURVES } from './extras.js';
import { TrainerClient, WorkerProblem } from './client.js';
import { FrameMeter } from './frame-meter.js';
import { measuredNote } from './measuring.js';
import { parseSpeed, type Extras, type Problem } from './protocol.js';
import type { Frame, Snapshot, TraceView } from './session.js';
import { BoundaryView } from './views/boundary.js';
import { CLASS_COLORS, css } from './views/colors.js';
import { LossChart } from './views/chart.js';
import { Diagram } from './views/diagram.js';
import { renderLayerEditor } from './views/layer-editor.js';
import { MatricesView } from './views/matrices.js';
import { drawTicks } from './views/ticks.js';
import { setupStepMode } from './step/mode.js';
import { hintsFor } from './hints.js';
import { decodeConfig, encodeConfig } from './url-state.js';
import './hook.js';

// a shared link's settings, else the defaults
let config: PlaygroundConfig = decodeConfig(location.hash, structuredClone(DEFAULT_CONFIG));
let data: Dataset | undefined;
let playing = false;
let pending: Frame | undefined;
let shown: Frame | undefined;
let lastTrace: TraceView | undefined;
/** The settings for a CSV file the worker is reading. */
let pendingCsv: PlaygroundConfig | undefined;
/** A classifier's confusion matrix or a regression's curve, from the last pass sent. */
let lastExtras: Extras | undefined;
/** The step whose pass lastTrace shows. */
let lastPass = 1;
/** Whether the worker holds a network built from the current config. */
let built = false;

const controls = new Controls(() => config, (next) => apply(next));
const chart = new LossChart(byId('chart'));
const accuracyChart = new LossChart(byId('accuracy-chart'));
const boundary = new BoundaryView(byId('boundary'));
const diagram = new Diagram(byId('diagram'));
const matrices = new MatricesView(byId('matrices'), byId('matrices-about'));
const meter = new FrameMeter();
const playButton = byId<HTMLButtonElement>('play');
const problemBox = byId<HTMLParagraphElement>('problem');
const digits = byId<HTMLSelectElement>('digits');
const showTest = byId<HTMLInputElement>('show-test');
const stepMode = setupStepMode(diagram, () => Number(digits.value));

const client = new TrainerClient({
  frame(frame, nowPlaying, pass, extras) {
    if (extras.health) showHints(hintsFor(extras.health));
    if (extras.confusion || extras.curves) lastExtras = extras;
    if (nowPlaying !== undefined) setPlaying(nowPlaying);
    built = true;
    // a frame without matrices keeps those of the frame it replaces
    if (pending?.trace && !frame.trace) frame = { ...frame, trace: pending.trace };
    if (frame.trace && pass !== undefined) lastPass = pass;
    pending = frame;
    requestAnimationFrame(draw);
  },
  problem(problem, nowPlaying) {
    if (nowPlaying !== undefined) setPlaying(nowPlaying);
    byId('csv-reading').hidden = true;
    showProblem(problem);
    if (problem.code !== 'untrainable' && problem.code !== 'diverged') {
      built = false;
      // no network could be built: what is still drawn belongs to the last one
      byId('views').classList.add('stale');
      matrices.clear('No network to show: change the settings above.');
    }
  },
  data(dataset) {
    byId('csv-reading').hidden = true;
    useCsvDataset(dataset);
    byId<HTMLOptionElement>('dataset').querySelector<HTMLOptionElement>('option[value="csv"]')!.disabled = false;
    if (pendingCsv) config = pendingCsv;
    pendingCsv = undefined;
    if (config.data.name !== 'csv') return;
    refreshControls();
    // numbers to fit: a linear output, which can reach them (a sigmoid stays in (0, 1))
    if (dataset.kind === 'regression' && config.outputActivation !== 'linear') apply({ ...config, outputActivation: 'linear' });
  },
  loaded(next) {
    config = next;
    refreshControls();
  },
});

/** Takes a new config: rebuilds the data and the network from scratch. */
function apply(next: PlaygroundConfig): void {
  if (built && sameNetwork(config, next)) {
    // learning rate, optimizer or batch: the same network trains on from its next step
    config = next;
    refreshControls();
    client.send({ type: 'retune', config });
    return;
  }
  // a new network: one output per class again only with softmax
  next = { ...next, oneHot: undefined };
  // numbers to fit want a linear output; classes again the default one
  const regression = (name: string) => name === 'wave';
  if (regression(next.data.name) && !regression(config.data.name)) next = { ...next, outputActivation: 'linear' };
  else if (!regression(next.data.name) && regression(config.data.name)) next = { ...next, outputActivation: DEFAULT_CONFIG.outputActivation };
  const wasSlides = config.data.name === 'slides';
  const isSlides = next.data.name === 'slides';
  if (isSlides && !wasSlides) next = slidesConfig(next);
  else if (wasSlides && !isSlides) next = leaveSlides(next, next.data);
  config = next;
  refreshControls();
  reset();
}

function refreshControls(): void {
  controls.show(config);
  // every setting in the address, so that the page's link shares the setup
  history.replaceState(null, '', `#${encodeConfig(config)}`);
  data = datasetFor(config.data, wantsOneHot(config));
  drawClasses();
  byId('show-test-label').hidden = data.testX.length === 0 || !data.box;
  const note = byId('csv-note');
  note.hidden = data.name !== 'csv';
  if (data.name === 'csv') {
    const rows = data.full ? data.full.train + data.full.test : data.trainX.length + data.testX.length;
    const what = data.kind === 'regression' ? `a regression on ${data.target}` : `${data.classes.length} classes of ${data.target}`;
    note.textContent = `${data.source}: ${rows} rows, ${data.inputs.length} input${data.inputs.length === 1 ? '' : 's'}, ${what}.`;
  }
  const slides = config.data.name === 'slides';
  renderLayerEditor(
    byId('layer-editor'),
    { hidden: config.hidden, outputActivation: config.outputActivation },
    data.trainX[0].length,
    data.trainY[0].length,
    slides,
    (choice) => apply({ ...config, ...choice }),
  );
  byId<HTMLButtonElement>('add-layer').disabled = slides || config.hidden.length >= MAX_LAYERS;
  byId<HTMLButtonElement>('remove-layer').disabled = slides || config.hidden.length === 0;
  const n = config.hidden.length;
  byId('layer-count').textContent = `${n} hidden layer${n === 1 ? '' : 's'}`;
}

function reset(): void {
  setPlaying(false);
  hideProblem();
  chart.clear();
  accuracyChart.clear();
  lastExtras = undefined;
  meter.reset();
  byId<HTMLOutputElement>('frame-time').value = '–';
  lastTrace = undefined;
  built = false;
  client.reset(config);
}

/** The hints under the diagram: one line each. */
function showHints(lines: string[]): void {
  const box = byId('hints');
  box.replaceChildren(...lines.map((l) => Object.assign(document.createElement('p'), { textContent: l })));
  box.hidden = lines.length === 0;
}

function setPlaying(on: boolean): void {
  if (on === playing) return;
  playing = on;
  playButton.textContent = on ? '❚❚ Pause' : '▶ Play';
  playButton.setAttribute('aria-pressed', String(on));
  if (on) meter.start();
  else meter.stop();
}

function showProblem(p: Problem): void {
  problemBox.textContent =
    p.code === 'untrainable'
      ? `Training stopped: ${p.message} The matrices below show it: every delta below the step layer is 0, and so is its W_update.`
      : p.message;
  problemBox.dataset.code = p.code;
  problemBox.hidden = false;
}

function hideProblem(): void {
  problemBox.hidden = true;
  problemBox.textContent = '';
  delete problemBox.dataset.code;
}

function fixed(v: number | null, d = 4): string {
  return v === null || !Number.isFinite(v) ? '–' : v.toFixed(d);
}

/** Draws the newest frame, then tells the worker it may train the next slice. */
function draw(): void {
  const frame = pending;
  if (!frame) return;
  const started = performance.now();
  pending = undefined;
  shown = frame;
  byId('views').classList.remove('stale');
  byId<HTMLOutputElement>('step-count').value = String(frame.step);
  byId<HTMLOutputElement>('epoch-count').value = Number.isInteger(frame.epoch) ? String(frame.epoch) : frame.epoch.toFixed(2);
  byId('train-loss').textContent = fixed(frame.trainLoss);
  byId('test-loss').textContent = fixed(frame.testLoss);
  // a regression has no classes to count hits of
  const accuracy = data?.kind === 'regression' ? null : frame.testAccuracy;
  byId('test-accuracy').textContent = accuracy === null ? '–' : `${(accuracy * 100).toFixed(1)}%`;
  byId('measured-at').dataset.step = String(frame.measuredAt);
  byId('measured-at').textContent = measuredNote(frame);
  // one point per measurement, at the step it was taken at (a frame that carries it adds none)
  chart.add(frame.measuredAt, frame.trainLoss, frame.testLoss);
  chart.draw();
  accuracyChart.add(frame.measuredAt, frame.trainAccuracy, frame.testAccuracy);
  drawPlane();
  diagram.draw(shapeOf(frame), frame.weights, frame.grids, !playing);
  if (frame.trace) {
    lastTrace = frame.trace;
    drawMatrices();
    stepMode.update(frame.trace, config);
  }
  const now = performance.now();
  meter.drew(now, now - started);
  const stats = meter.stats();
  if (stats) {
    byId<HTMLOutputElement>('frame-time').value =
      `mean ${stats.mean.toFixed(1)} ms, 95% under ${stats.p95.toFixed(1)} ms, worst ${stats.max.toFixed(1)} ms between the worker's frames (${stats.frames} intervals)`;
  }
  client.send({ type: 'drawn' });
}

function shapeOf(frame: Frame) {
  return {
    sizes: [frame.weights[0].W.length, ...frame.weights.map((w) => w.W[0].length)],
    activations: [...config.hidden.map((l) => l.activation), config.outputActivation],
    inputs: data?.inputs ?? [],
  };
}

function drawPlane(): void {
  const drawn = boundary.draw(shown?.grids, data, showTest.checked);
  const note = byId('boundary-note');
  note.hidden = drawn;
  byId('plane').hidden = !drawn;
  const box = shown?.grids?.box;
  if (drawn && box) {
    drawTicks(byId('ticks-x'), 'x', box[0], box[1], data?.scaling, 0);
    drawTicks(byId('ticks-y'), 'y', box[2], box[3], data?.scaling, 1);
  }
  if (!drawn && data) {
    note.textContent =
      data.kind === 'regression'
        ? `A regression: the network's output along one input (the others at their mean), over the data's points (test rows orange).`
        : `The decision boundary is drawn over a plane of 2 inputs; this network has ${data.inputs.length}. Below: accuracy per step, and the confusion matrix.`;
  }
  drawSummary(!drawn);
}

/** Without a 2-D plane: a classifier's accuracy chart and confusion matrix, or a regression's curve. */
function drawSummary(on: boolean): void {
  const regression = data?.kind === 'regression';
  const accuracy = byId<HTMLCanvasElement>('accuracy-chart');
  const confusion = byId('confusion');
  const curve = byId<HTMLCanvasElement>('curve');
  accuracy.hidden = !on || regression;
  confusion.hidden = !on || regression || !lastExtras?.confusion;
  curve.hidden = !on || !regression || !lastExtras?.curves;
  const along = byId<HTMLSelectElement>('curve-input');
  byId('curve-input-label').hidden = curve.hidden || (data?.inputs.length ?? 0) < 2;
  if (data && along.options.length !== Math.min(data.inputs.length, MAX_CURVES)) {
    along.replaceChildren(...data.inputs.slice(0, MAX_CURVES).map((name, j) => new Option(name, String(j))));
  }
  if (!accuracy.hidden) accuracyChart.draw();
  if (!confusion.hidden && data) {
    const test = data.testX.length > 0;
    const total = test ? (data.full?.test ?? data.testX.length) : (data.full?.train ?? data.trainX.length);
    drawConfusion(confusion, lastExtras!.confusion!, data.classes, test ? 'test' : 'training', total);
  }
  const j = Math.min(Number(along.value) || 0, lastExtras?.curves?.length ? lastExtras.curves.length - 1 : 0);
  if (!curve.hidden && data) drawCurve(curve, data, lastExtras!.curves![j], j);
}

/** The class colours under the boundary: filled points are training rows, ringed ones test rows. */
function drawClasses(): void {
  const legend = byId('classes');
  legend.replaceChildren();
  if (!data) return;
  data.classes.forEach((name, k) => {
    const swatch = document.createElement('span');
    swatch.textContent = '● ';
    swatch.style.color = css(CLASS_COLORS[k % CLASS_COLORS.length]);
    legend.append(swatch, `${name}  `);
  });
}

function drawMatrices(): void {
  if (lastTrace) matrices.draw(lastTrace, Number(digits.value), data?.full?.train ?? data?.trainX.length ?? 0, { step: lastPass, live: playing });
}

playButton.addEventListener('click', () => {
  if (playing) {
    client.send({ type: 'pause' });
    setPlaying(false);
  } else {
    client.send({ type: 'play' });
    setPlaying(true);
  }
});
byId('step').addEventListener('click', () => client.send({ type: 'step' }));
byId('reset').addEventListener('click', reset);
const speed = byId<HTMLSelectElement>('speed');
speed.addEventListener('change', () => client.send({ type: 'speed', speed: parseSpeed(speed.value) }));
byId('slides-preset').addEventListener('click', () => {
  apply({ ...config, data: { ...config.data, name: 'slides' } });
  // the preset is there to show the slides' matrices: bring them into view
  byId('matrices-title').scrollIntoView({ block: 'start' });
});
byId('add-layer').addEventListener('click', () => {
  const last = config.hidden[config.hidden.length - 1] ?? { units: 2, activation: 'tanh' };
  apply({ ...config, hidden: [...config.hidden, { ...last }] });
});
byId('remove-layer').addEventListener('click', () => apply({ ...config, hidden: config.hidden.slice(0, -1) }));
digits.addEventListener('change', () => {
  drawMatrices();
  stepMode.redraw();
});
showTest.addEventListener('change', drawPlane);
byId('curve-input').addEventListener('change', drawPlane);
window.addEventListener('hashchange', () => apply(decodeConfig(location.hash)));
window.addEventListener('resize', () => {
  if (shown) diagram.draw(shapeOf(shown), shown.weights, shown.grids, true);
  drawPlane();
  chart.draw();
});

/** Export buttons: the model file downloads at once; the PyTorch and TF.js files are offered one link each. */
for (const kind of ['model', 'pytorch', 'tfjs'] as const) {
  byId(kind === 'model' ? 'export' : `export-${kind}`).addEventListener('click', async () => {
    try {
      const exported = await exportFiles(kind, await client.ask<string>('export'), config.data.name);
      if (kind === 'model') download(exported.files[0]);
      else offerFiles(byId('export-files'), kind, exported);
    } catch (e) {
      showProblem(e instanceof WorkerProblem ? e.problem : { code: 'error', message: String(e) });
    }
  });
}
byId<HTMLInputElement>('load').addEventListener('change', async (e) => {
  const input = e.target as HTMLInputElement;
  const file = input.files?.[0];
  if (!file) return;
  try {
    chart.clear();
    hideProblem();
    await client.load(await file.text(), file.name);
  } catch (err) {
    const p = err instanceof WorkerProblem ? err.problem : { code: 'error', message: String(err) };
    showProblem({ ...p, message: `${p.message}. The network shown is still the one from before, paused.` });
  } finally {
    input.value = '';
  }
});

/** A CSV file dropped or picked: read and trained in the worker, shown when its data set comes back. */
function loadCsv(file: File): void {
  setPlaying(false);
  hideProblem();
  chart.clear();
  accuracyChart.clear();
  lastExtras = undefined;
  const { fixed: _model, ...plain } = config.data;
  // the page's settings change when the worker has read the file (see `data`)
  pendingCsv = { ...config, data: { ...plain, name: 'csv' }, oneHot: undefined };
  const reading = byId('csv-reading');
  reading.textContent = `Reading ${file.name} (${(file.size / 1e6).toFixed(1)} MB)…`;
  reading.hidden = false;
  client.csv(file, pendingCsv);
}
setupCsvDrop(byId('csv-file'), loadCsv);

window.backpropPlayground = {
  config: () => structuredClone(config),
  snapshot: () => client.ask<Snapshot>('snapshot'),
  exportModel: () => client.ask<string>('export'),
  predict: async (rows) => predictRaw(await client.ask<string>('export'), rows),
  loadModel: (text, source = 'model.json') => client.load(text, source),
  frameStats: () => meter.stats(),
  trainingDots: () => boundary.dots.map((d) => ({ ...d, color: [...d.color] })),
};

refreshControls();
reset();
