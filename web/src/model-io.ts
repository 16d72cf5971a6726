/**
 * The playground's network as the library's versioned model file (the file the command line
 * writes and reads), and a model file back into the playground.
 */
import {
  BackpropError,
  fingerprintTable,
  MODEL_FORMAT,
  MODEL_VERSION,
  modelFileToText,
  networkFromModelFile,
  parseModelFile,
  type ModelFile,
  type Network,
  type OptimizerName,
} from '../../src/index.js';
import { DEFAULT_CONFIG, penaltyOf, type BatchMode, type PlaygroundConfig } from './config.js';
import { DATASET_LABELS, makeDataset, type DataOptions, type Dataset } from './datasets.js';
import { PLANE_SETS, type PlaneSet } from './generators.js';
import { IRIS_COLUMNS, IRIS_SPECIES } from './iris.js';
import { Session } from './session.js';

function fingerprint(d: Dataset): string {
  if (d.file) return d.file.fingerprint;
  return fingerprintTable({ source: d.source, header: d.table.header, rows: d.table.rows, lines: [], delimiter: ',' });
}

/**
 * The model file of the session's network. A network with one output per class is a
 * classification model; a single sigmoid output for two classes is written as a regression on
 * the 0/1 target, since the file names one output per class.
 */
export function modelFileOf(session: Session): ModelFile {
  const d = session.data;
  const c = session.config;
  const p = session.progress();
  const net = session.net;
  const rows = d.file?.rows ?? d.table.rows.length;
  const classification = net.outputs === d.classes.length;
  const h = session.history;
  const metrics: Record<string, number | null> = {
    trainLoss: p.trainLoss,
    testLoss: p.testLoss,
    ...(classification ? { trainAccuracy: p.trainAccuracy, testAccuracy: p.testAccuracy } : {}),
    steps: p.step,
    epochs: p.epoch,
    seconds: h.seconds,
  };
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    network: net.toJSON() as ModelFile['network'],
    data: {
      source: d.source,
      rows,
      fingerprint: fingerprint(d),
      features: d.columns,
      target: d.target,
      kind: classification ? 'classification' : 'regression',
      ...(classification ? { classes: d.classes } : {}),
    },
    preprocessing: {
      features: d.scaling,
      ...(classification ? {} : { target: { kind: 'none' as const, shift: [0], scale: [1] } }),
    },
    training: {
      optimizer: c.optimizer,
      learningRate: c.learningRate,
      batchSize: session.batchSize >= d.trainX.length ? 'full' : session.batchSize,
      epochs: Math.max(1, Math.ceil(p.epoch)),
      seed: net.seed,
      testSplit: d.testRows.length / rows,
      stratified: false,
      ...penaltyOf(c), // l1 and l2, those that are on, as the library's model file carries them
      testRows: d.testRows,
      history: {
        loss: h.loss,
        ...(h.testLoss.length ? { testLoss: h.testLoss } : {}),
        epochs: h.loss.length,
        stopReason: 'interrupted',
        seconds: h.seconds,
      },
      metrics,
    },
  };
}

/** The model file's text for the session's network. */
export function exportModel(session: Session): string {
  return modelFileToText(modelFileOf(session));
}

/** A session for the network in a model file's text, shown on the data it fits (see configFor). */
export function loadModel(text: string, source: string, current: PlaygroundConfig = DEFAULT_CONFIG): Session {
  const file = parseModelFile(text, source);
  const net = networkFromModelFile(file, source);
  return new Session(configFor(file, net, current, source), net);
}

/**
 * The playground settings for a model file: its network and training options, and the data it
 * fits. A model of Iris columns is shown on Iris, with the file's scaling (and, when it was
 * trained on the bundled iris data, its own test rows); a model of 2 other inputs is shown on the
 * current 2-D set through the file's scaling. Anything else is refused with the reason.
 */
export function configFor(file: ModelFile, net: Network, current: PlaygroundConfig, source: string): PlaygroundConfig {
  const t = file.training;
  const size = t.batchSize;
  const batch: BatchMode = size === 'full' ? 'full' : size === 1 ? 'stochastic' : 'mini';
  const base: PlaygroundConfig = {
    ...current,
    hidden: net.layers.slice(0, -1).map((l) => ({ units: l.units, activation: l.activation.name })),
    outputActivation: net.layers[net.layers.length - 1].activation.name,
    bias: net.layers.every((l) => l.useBias),
    loss: net.loss.name,
    optimizer: t.optimizer as OptimizerName,
    learningRate: t.learningRate,
    batch,
    batchSize: size === 'full' ? current.batchSize : size,
    seed: t.seed,
    oneHot: net.outputs > 1,
    // the file's regularisation, both kinds as the command line's train --l1 --l2 writes them (absent: off)
    l1: t.l1 ?? 0,
    l2: t.l2 ?? 0,
  };
  // the data of an earlier model file (its scaling, its test rows) is not this file's
  const { fixed: _earlier, ...currentData } = current.data;
  const features = file.data.features;
  const scaling = file.preprocessing.features;
  const classes = file.data.classes ?? [];
  const iris =
    file.data.kind === 'classification' &&
    features.every((f) => IRIS_COLUMNS.includes(f)) &&
    classes.length === 3 &&
    classes.every((c, i) => c === IRIS_SPECIES[i]);
  if (iris) {
    const data = { ...currentData, name: 'iris' as const, irisFeatures: features.map((f) => IRIS_COLUMNS.indexOf(f)) };
    const bundled = makeDataset(data, true);
    const same = file.data.rows === bundled.table.rows.length && file.data.fingerprint === fingerprint(bundled);
    return { ...base, data: { ...data, fixed: { scaling, ...(same ? { testRows: t.testRows } : {}) } } };
  }
  if (features.length === 2 && net.outputs <= 2) return { ...base, data: planeData(file, currentData, net.outputs > 1) };
  throw new BackpropError(
    'model',
    `${source} is a model of ${features.length} input${features.length === 1 ? '' : 's'} (${features.join(', ')}) with ` +
      `${net.outputs} output${net.outputs === 1 ? '' : 's'}: the playground shows models of Iris columns with its 3 species, ` +
      'or of 2 inputs with 1 or 2 outputs (drawn over its 2-D sets)',
  );
}

/** The playground's own source line of a 2-D set, as datasets.ts writes it. */
const PLANE_SOURCE = /^playground (\w+), (\d+) points, noise ([\d.e-]+), seed (\d+)$/;

/**
 * The 2-D set a model file of 2 inputs is shown on: the playground set it was trained on (with
 * its own test rows when the rows are the same), else the current set, with a note saying why.
 */
function planeData(file: ModelFile, current: DataOptions, oneHot: boolean): DataOptions {
  const scaling = file.preprocessing.features;
  const m = PLANE_SOURCE.exec(file.data.source);
  // a playground set's model file lists its test rows (only files of over 10,000 rows derive them)
  const testRows = file.training.testRows;
  if (m && testRows && (PLANE_SETS as readonly string[]).includes(m[1])) {
    const data: DataOptions = { ...current, name: m[1] as PlaneSet, samples: Number(m[2]), noise: Number(m[3]), seed: Number(m[4]) };
    const rows = file.data.rows;
    const made = makeDataset({ ...data, fixed: { scaling, testRows } }, oneHot);
    if (rows === made.table.rows.length && file.data.fingerprint === fingerprint(made)) {
      return { ...data, trainRatio: Math.round(((rows - testRows.length) / rows) * 10) / 10, fixed: { scaling, testRows } };
    }
  }
  const name: PlaneSet = (PLANE_SETS as readonly string[]).includes(current.name) ? (current.name as PlaneSet) : 'xor';
  const note = `trained on ${file.data.source}, which the page does not have: shown over ${DATASET_LABELS[name]}`;
  return { ...current, name, fixed: { scaling, note } };
}
