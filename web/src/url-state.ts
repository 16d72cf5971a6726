/**
 * Every setting in the address's hash, so that a setup can be shared as a link:
 * `#dataset=spirals&layers=8:relu,8:relu&out=sigmoid&lr=0.01&…`. Read back with each value
 * checked; what is missing or not understood keeps its default.
 */
import {
  BATCH_MODES,
  DEFAULT_CONFIG,
  HIDDEN_ACTIVATIONS,
  LOSSES,
  MAX_LAYERS,
  MAX_UNITS,
  OPTIMIZERS,
  OUTPUT_ACTIVATIONS,
  type BatchMode,
  type PlaygroundConfig,
} from './config.js';
import { DATASET_NAMES, type DatasetName } from './datasets.js';
import { IRIS_FEATURES } from './iris.js';
import type { OptimizerName } from '../../src/index.js';

/** The hash (without '#') for a config. A model file's own data and scaling are not part of it. */
export function encodeConfig(c: PlaygroundConfig): string {
  const p = new URLSearchParams();
  p.set('dataset', c.data.name);
  p.set('points', String(c.data.samples));
  p.set('noise', String(c.data.noise));
  p.set('train', String(c.data.trainRatio));
  p.set('iris', c.data.irisFeatures.join(','));
  p.set('layers', c.hidden.map((l) => `${l.units}:${l.activation}`).join(','));
  p.set('out', c.outputActivation);
  p.set('bias', c.bias ? '1' : '0');
  p.set('loss', c.loss);
  p.set('optimizer', c.optimizer);
  p.set('lr', String(c.learningRate));
  p.set('batch', c.batch);
  p.set('batchSize', String(c.batchSize));
  p.set('seed', String(c.seed));
  p.set('l1', String(c.l1));
  p.set('l2', String(c.l2));
  return p.toString();
}

/** A number from the hash within [lo, hi], else undefined. */
function num(v: string | null, lo: number, hi: number, whole = false): number | undefined {
  if (v === null || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= lo && n <= hi && (!whole || Number.isInteger(n)) ? n : undefined;
}

function oneOf<T extends string>(v: string | null, list: readonly T[]): T | undefined {
  return v !== null && (list as readonly string[]).includes(v) ? (v as T) : undefined;
}

function layersOf(v: string | null): PlaygroundConfig['hidden'] | undefined {
  if (v === null) return undefined;
  if (v === '') return [];
  const layers = v.split(',').map((part) => {
    const [units, activation] = part.split(':');
    const n = num(units, 1, MAX_UNITS, true);
    const a = oneOf(activation, HIDDEN_ACTIVATIONS);
    return n !== undefined && a !== undefined ? { units: n, activation: a as string } : undefined;
  });
  return layers.length <= MAX_LAYERS && layers.every((l) => l !== undefined) ? (layers as PlaygroundConfig['hidden']) : undefined;
}

/** The config a hash describes, on top of `base` (the defaults). */
export function decodeConfig(hash: string, base: PlaygroundConfig = DEFAULT_CONFIG): PlaygroundConfig {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const d = base.data;
  const iris = p.get('iris')?.split(',').map((v) => num(v, 0, IRIS_FEATURES.length - 1, true));
  const seed = num(p.get('seed'), 0, 999999, true) ?? base.seed;
  return {
    ...base,
    data: {
      // a CSV file is not in the address: its link opens the default data set
      name: oneOf<DatasetName>(p.get('dataset'), DATASET_NAMES.filter((n) => n !== 'csv')) ?? d.name,
      samples: num(p.get('points'), 4, 1000, true) ?? d.samples,
      noise: num(p.get('noise'), 0, 0.5) ?? d.noise,
      trainRatio: num(p.get('train'), 0.1, 0.9) ?? d.trainRatio,
      irisFeatures: iris?.length === 2 && iris[0] !== iris[1] && iris.every((v) => v !== undefined) ? (iris as number[]) : d.irisFeatures,
      seed,
    },
    hidden: layersOf(p.get('layers')) ?? base.hidden,
    outputActivation: oneOf(p.get('out'), OUTPUT_ACTIVATIONS) ?? base.outputActivation,
    bias: p.has('bias') ? p.get('bias') === '1' : base.bias,
    loss: oneOf(p.get('loss'), LOSSES) ?? base.loss,
    optimizer: oneOf<OptimizerName>(p.get('optimizer'), OPTIMIZERS) ?? base.optimizer,
    learningRate: num(p.get('lr'), 1e-6, 100) ?? base.learningRate,
    batch: oneOf<BatchMode>(p.get('batch'), BATCH_MODES) ?? base.batch,
    batchSize: num(p.get('batchSize'), 1, 1000, true) ?? base.batchSize,
    seed,
    ...penaltyFrom(p, base),
  };
}

/**
 * The l1 and l2 of a hash: `l1=…&l2=…`, each from 0 (off) to 10. An older link's one kind and its
 * rate, `reg=none|l1|l2&regRate=…`, still opens as it did: that one at the rate, the other off.
 */
function penaltyFrom(p: URLSearchParams, base: PlaygroundConfig): Pick<PlaygroundConfig, 'l1' | 'l2'> {
  const kind = oneOf(p.get('reg'), ['none', 'l1', 'l2'] as const);
  const old = { l1: base.l1, l2: base.l2 };
  if (kind !== undefined) {
    old.l1 = 0;
    old.l2 = 0;
    if (kind !== 'none') old[kind] = num(p.get('regRate'), 0, 10) ?? base[kind];
  }
  return { l1: num(p.get('l1'), 0, 10) ?? old.l1, l2: num(p.get('l2'), 0, 10) ?? old.l2 };
}
