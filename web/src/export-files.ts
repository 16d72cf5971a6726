/**
 * The model as files to download: the model file the command line reads, the PyTorch folder
 * (backprop/pytorch) and the TensorFlow.js Layers model (backprop/tfjs). The PyTorch and TF.js
 * exporters are loaded when first asked for, so the page starts without them. Each file is offered
 * under the name its folder needs (model.py loads model.json and model.safetensors from one
 * folder; tf.loadLayersModel reads model.weights.bin beside model.json).
 */
import { applyScaler, Matrix, Model } from '../../src/index.js';

export interface NamedFile {
  name: string;
  data: string | Uint8Array;
  type: string;
}

export type ExportKind = 'model' | 'pytorch' | 'tfjs';

const TYPES: Record<string, string> = {
  json: 'application/json',
  py: 'text/x-python',
  safetensors: 'application/octet-stream',
  bin: 'application/octet-stream',
};

function named(name: string, data: string | Uint8Array): NamedFile {
  return { name, data, type: TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream' };
}

/** The files of one export, and the step of training whose weights they hold. */
export interface Exported {
  files: NamedFile[];
  step?: number;
}

/** The files of one kind of export, from the model file's text. */
export async function exportFiles(kind: ExportKind, modelText: string, dataName: string): Promise<Exported> {
  if (kind === 'model') return { files: [named(`backprop-${dataName}-model.json`, modelText)] };
  const model = Model.parse(modelText, 'the playground\'s model');
  // the files are of one moment: they hold the weights of the step the export was asked at
  const steps = model.file.training.metrics?.steps;
  const step = typeof steps === 'number' ? { step: steps } : {};
  if (kind === 'pytorch') {
    const { toPyTorch } = await import('../../src/pytorch.js');
    return { files: Object.entries(toPyTorch(model)).map(([name, data]) => named(name, data)), ...step };
  }
  const { toTFJS } = await import('../../src/tfjs.js');
  return { files: Object.entries(toTFJS(model, { generatedBy: 'backprop playground' })).map(([name, data]) => named(name, data)), ...step };
}

/** Saves one file through a link the page clicks. */
export function download(file: NamedFile): void {
  const url = URL.createObjectURL(new Blob([file.data as BlobPart], { type: file.type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const HOW: Record<Exclude<ExportKind, 'model'>, string> = {
  pytorch: 'Save them in one folder; in Python, from that folder: import model; m = model.load(".") (train.py trains it further).',
  tfjs: 'Save both in one folder; tf.loadLayersModel("…/model.json") reads the weights beside it. The model takes raw features.',
};

/** A list of links, one per file, each saving its file under its own name (a page may save only one file per click). */
export function offerFiles(list: HTMLElement, kind: Exclude<ExportKind, 'model'>, { files, step }: Exported): void {
  list.replaceChildren();
  list.dataset.kind = kind;
  for (const file of files) {
    const link = document.createElement('button');
    link.type = 'button';
    link.className = 'file-link';
    link.textContent = file.name;
    link.dataset.file = file.name;
    link.addEventListener('click', () => download(file));
    list.append(link);
  }
  const how = document.createElement('p');
  how.className = 'hint';
  how.textContent = `${step === undefined ? '' : `The network at step ${step}. `}${HOW[kind]}`;
  list.append(how);
  list.hidden = false;
}

/**
 * The model file's outputs for raw feature rows, computed here in the page: class probabilities
 * (or a single sigmoid output) per row, or values in the target's units for a regression.
 */
export function predictRaw(modelText: string, rows: number[][]): number[][] {
  const model = Model.parse(modelText, 'the playground\'s model');
  const X = applyScaler(model.file.preprocessing.features, Matrix.from(rows, 'rows'));
  const p = model.predictPrepared(X);
  return p.outputs ?? p.predicted.map((v) => [v as number]);
}
