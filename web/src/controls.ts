/** The form controls of the page, read into and written from a PlaygroundConfig. */
import { BATCH_MODES, LOSSES, OPTIMIZERS, REGULARISATION_RATES, type BatchMode, type PlaygroundConfig } from './config.js';
import { DATASET_LABELS, DATASET_NAMES, type DatasetName } from './datasets.js';
import { IRIS_FEATURES } from './iris.js';
import type { OptimizerName } from '../../src/index.js';

export const LEARNING_RATES = [0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];

/** The element with this id, typed; a missing one is a bug in index.html. */
export function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no element #${id}`);
  return el as T;
}

/** A labelled select of its own, placed after `after` (the page's markup has no place for it). */
function selectAfter(after: Element, id: string, text: string, name: string): HTMLSelectElement {
  const select = document.createElement('select');
  select.id = id;
  select.setAttribute('aria-label', name);
  const label = document.createElement('label');
  label.append(`${text} `, select);
  after.after(label);
  return select;
}

/** A rate select's option text: 0 is off. */
const rateText = (v: string) => (v === '0' ? 'off' : v);

/** Sets a rate select to `rate`, adding it in its place when it is not a choice (a model file's own rate). */
function showRate(select: HTMLSelectElement, rate: number): void {
  const value = String(rate);
  const options = [...select.options];
  if (!options.some((o) => o.value === value)) select.add(new Option(value, value), options.find((o) => Number(o.value) > rate) ?? null);
  select.value = value;
}

function fill(select: HTMLSelectElement, values: readonly (string | number)[], label: (v: string) => string = (v) => v): void {
  select.replaceChildren(...values.map((v) => new Option(label(String(v)), String(v))));
}

export class Controls {
  readonly dataset = byId<HTMLSelectElement>('dataset');
  readonly noise = byId<HTMLInputElement>('noise');
  readonly trainRatio = byId<HTMLInputElement>('train-ratio');
  readonly samples = byId<HTMLSelectElement>('samples');
  readonly irisX = byId<HTMLSelectElement>('iris-x');
  readonly irisY = byId<HTMLSelectElement>('iris-y');
  readonly learningRate = byId<HTMLSelectElement>('learning-rate');
  readonly optimizer = byId<HTMLSelectElement>('optimizer');
  readonly loss = byId<HTMLSelectElement>('loss');
  readonly batch = byId<HTMLSelectElement>('batch');
  readonly batchSize = byId<HTMLInputElement>('batch-size');
  readonly seed = byId<HTMLInputElement>('seed');
  readonly bias = byId<HTMLInputElement>('bias');
  /** The L1 and L2 rates, either or both (0: off): made here, after the learning rate. */
  readonly l1 = selectAfter(this.learningRate.closest('label')!, 'l1', 'L1', 'L1 regularisation rate');
  readonly l2 = selectAfter(this.l1.closest('label')!, 'l2', 'L2', 'L2 regularisation rate');

  /** Fills the choices; `onChange` is called with the edited config whenever a control changes. */
  constructor(
    private readonly current: () => PlaygroundConfig,
    onChange: (next: PlaygroundConfig) => void,
  ) {
    fill(this.dataset, DATASET_NAMES, (v) => DATASET_LABELS[v as DatasetName]);
    // enabled once a CSV file has been read
    this.dataset.querySelector<HTMLOptionElement>('option[value="csv"]')!.disabled = true;
    fill(this.irisX, IRIS_FEATURES.map((_, i) => i), (v) => IRIS_FEATURES[Number(v)]);
    fill(this.irisY, IRIS_FEATURES.map((_, i) => i), (v) => IRIS_FEATURES[Number(v)]);
    fill(this.learningRate, LEARNING_RATES);
    fill(this.optimizer, OPTIMIZERS);
    fill(this.loss, LOSSES);
    fill(this.l1, REGULARISATION_RATES, rateText);
    fill(this.l2, REGULARISATION_RATES, rateText);
    const inputs: HTMLElement[] = [
      this.dataset,
      this.noise,
      this.trainRatio,
      this.samples,
      this.irisX,
      this.irisY,
      this.learningRate,
      this.optimizer,
      this.loss,
      this.batch,
      this.batchSize,
      this.seed,
      this.bias,
      this.l1,
      this.l2,
    ];
    // a plot needs two features: choosing the other axis's feature swaps the two
    const swap = (changed: HTMLSelectElement, other: HTMLSelectElement, was: () => number) =>
      changed.addEventListener('change', () => {
        const note = byId('iris-note');
        note.hidden = changed.value !== other.value;
        if (changed.value !== other.value) return;
        other.value = String(was());
        note.textContent =
          `x and y swapped (x: ${IRIS_FEATURES[Number(this.irisX.value)]}, y: ${IRIS_FEATURES[Number(this.irisY.value)]}): ` +
          'a plot needs two different features.';
      });
    swap(this.irisX, this.irisY, () => this.current().data.irisFeatures[0]);
    swap(this.irisY, this.irisX, () => this.current().data.irisFeatures[1]);
    for (const el of inputs) el.addEventListener('change', () => onChange(this.read()));
    // the sliders' values show while they move; the network is rebuilt when they are let go
    for (const el of [this.noise, this.trainRatio]) el.addEventListener('input', () => this.showValues());
  }

  /** The config as the controls now say (hidden layers and output activation are kept from the current one). */
  read(): PlaygroundConfig {
    const c = this.current();
    const whole = (el: HTMLInputElement, lo: number, hi: number, fallback: number) => {
      const v = Math.round(Number(el.value));
      return Number.isFinite(v) ? Math.max(lo, Math.min(hi, v)) : fallback;
    };
    return {
      ...c,
      data: {
        name: this.dataset.value as DatasetName,
        samples: Number(this.samples.value),
        noise: Number(this.noise.value),
        trainRatio: Number(this.trainRatio.value),
        irisFeatures: [Number(this.irisX.value), Number(this.irisY.value)],
        seed: whole(this.seed, 0, 999999, c.seed),
      },
      learningRate: Number(this.learningRate.value),
      optimizer: this.optimizer.value as OptimizerName,
      loss: this.loss.value,
      batch: this.batch.value as BatchMode,
      batchSize: whole(this.batchSize, 1, 1000, c.batchSize),
      seed: whole(this.seed, 0, 999999, c.seed),
      bias: this.bias.checked,
      l1: Number(this.l1.value),
      l2: Number(this.l2.value),
    };
  }

  /** Sets every control to the config, and shows only the controls that apply to it. */
  show(c: PlaygroundConfig): void {
    this.dataset.value = c.data.name;
    this.noise.value = String(c.data.noise);
    this.trainRatio.value = String(c.data.trainRatio);
    this.samples.value = String(c.data.samples);
    this.irisX.value = String(c.data.irisFeatures[0]);
    this.irisY.value = String(c.data.irisFeatures[1] ?? c.data.irisFeatures[0]);
    showRate(this.learningRate, c.learningRate);
    this.optimizer.value = c.optimizer;
    this.loss.value = c.loss;
    this.batch.value = (BATCH_MODES as readonly string[]).includes(c.batch) ? c.batch : 'full';
    this.batchSize.value = String(c.batchSize);
    this.seed.value = String(c.seed);
    this.bias.checked = c.bias;
    showRate(this.l1, c.l1);
    showRate(this.l2, c.l2);

    const slides = c.data.name === 'slides';
    const iris = c.data.name === 'iris';
    const csv = c.data.name === 'csv';
    byId('two-d-options').hidden = slides;
    byId('samples-label').hidden = slides || iris || csv;
    byId('noise-row').hidden = slides || iris || csv;
    const fixed = c.data.fixed;
    byId('iris-options').hidden = !iris || c.data.irisFeatures.length !== 2;
    byId('train-ratio').closest('div')!.hidden = slides || Boolean(fixed?.testRows);
    const note = byId('model-data');
    note.hidden = !fixed;
    if (fixed) {
      const cols = iris ? c.data.irisFeatures.map((j) => IRIS_FEATURES[j]).join(', ') : 'the 2-D set\'s x₁, x₂';
      note.textContent =
        `From the model file: inputs ${cols}, scaled ${fixed.scaling.kind === 'none' ? 'not at all' : `by its ${fixed.scaling.kind} scaling`}` +
        (fixed.testRows ? `, and its own ${fixed.testRows.length} test rows.` : '.') +
        (fixed.note ? ` It was ${fixed.note}.` : '') +
        ' Changing any setting starts a new network.';
    }
    byId('batch-size-label').hidden = c.batch !== 'mini';
    this.bias.disabled = slides;
    this.showValues();
  }

  private showValues(): void {
    byId<HTMLOutputElement>('noise-value').value = `${Math.round(Number(this.noise.value) * 100)}%`;
    byId<HTMLOutputElement>('ratio-value').value = `${Math.round(Number(this.trainRatio.value) * 100)}%`;
  }
}
