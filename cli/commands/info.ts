import type { Command } from 'commander';
import { listNames } from '../../src/data/dataset.js';
import type { Model } from '../../src/io/model.js';
import { loadModel } from '../files.js';
import { num, table } from '../report.js';

/** What info shows, as plain data (everything but the weights). */
export function modelSummary(path: string, model: Model) {
  const f = model.file;
  const net = model.network;
  const h = f.training.history;
  return {
    file: path,
    format: `${f.format} version ${f.version}`,
    architecture: [net.inputs, ...net.layers.map((l) => l.units)].join('-'),
    layers: net.layers.map((l, i) => ({
      layer: i + 1,
      units: l.units,
      activation: l.activation.name,
      bias: l.useBias,
      parameters: l.W.data.length + (l.useBias ? l.b.length : 0),
    })),
    parameters: net.parameterCount,
    loss: { name: net.loss.name, formula: net.loss.formula },
    data: f.data,
    preprocessing: {
      features: f.preprocessing.features.kind,
      ...(f.preprocessing.target ? { target: f.preprocessing.target.kind } : {}),
    },
    training: {
      optimizer: f.training.optimizer,
      learningRate: f.training.learningRate,
      batchSize: f.training.batchSize,
      epochs: `${h.epochs} of ${f.training.epochs}`,
      stopReason: h.stopReason,
      seed: f.training.seed,
      testSplit: f.training.testSplit,
      stratified: f.training.stratified,
      ...(f.training.validationSplit !== undefined ? { validationSplit: f.training.validationSplit } : {}),
      ...(f.training.earlyStop !== undefined ? { earlyStop: f.training.earlyStop } : {}),
      ...(f.training.l1 ? { l1: f.training.l1 } : {}),
      ...(f.training.l2 ? { l2: f.training.l2 } : {}),
      seconds: h.seconds,
    },
    metrics: f.training.metrics,
  };
}

function describe(path: string, model: Model): string {
  const s = modelSummary(path, model);
  const f = model.file;
  const d = f.data;
  const net = model.network;
  const layerRows = [['layer', 'units', 'activation', 'bias', 'parameters']];
  for (const l of s.layers) layerRows.push([String(l.layer), String(l.units), l.activation, l.bias ? 'yes' : 'no', String(l.parameters)]);
  const pre = f.preprocessing;
  const scaling = (k: string) => (k === 'standard' ? 'standardised (mean 0, standard deviation 1)' : k === 'minmax' ? 'min-max scaled into [0, 1]' : 'not scaled');
  const target = d.kind === 'classification' ? `'${d.target}', ${d.classes!.length} classes: ${listNames(d.classes!)}` : `'${d.target}', numbers (regression)`;
  const metrics = Object.entries(f.training.metrics).map(([k, v]) => [k, v === null ? '–' : k === 'epochs' ? String(v) : num(v)]);
  return [
    `${path}: ${s.format}`,
    `network ${s.architecture}, ${net.parameterCount} parameters`,
    table(layerRows),
    `loss ${net.loss.name}: ${net.loss.formula}`,
    `data: trained on ${d.source} (${d.rows} rows); ${d.features.length} features ${listNames(d.features)}; target ${target}`,
    `preprocessing: features ${scaling(pre.features.kind)} on the training rows` + (pre.target ? `; target ${scaling(pre.target.kind)}` : ''),
    `training: ${s.training.optimizer}, learning rate ${s.training.learningRate}, batch ${s.training.batchSize}, ` +
      `${s.training.epochs} epochs${s.training.stopReason === 'epochs' ? '' : ` (stopped: ${s.training.stopReason})`}, seed ${s.training.seed}, test split ${s.training.testSplit}` +
      `${s.training.stratified ? ' stratified' : ''}, ${num(s.training.seconds, 2)} s` +
      (f.training.l1 || f.training.l2 ? `\nregularisation: ${[f.training.l1 ? `L1 ${f.training.l1}·Σ|W|` : '', f.training.l2 ? `L2 ${f.training.l2}/2·ΣW²` : ''].filter(Boolean).join(' + ')} over the weights (not the biases), included in the training loss` : ''),
    table(metrics),
  ].join('\n');
}

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('architecture, parameter count, loss, preprocessing and training metadata of a saved model')
    .argument('<model>', 'a model file saved by train --out')
    .option('--json', 'print one JSON object (everything but the weights)')
    .action((path: string, flags: { json?: boolean }) => {
      const model = loadModel(path);
      if (flags.json) process.stdout.write(JSON.stringify(modelSummary(path, model)) + '\n');
      else process.stdout.write(describe(path, model) + '\n');
    });
}
