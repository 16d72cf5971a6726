import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { BackpropError } from '../../src/errors.js';
import type { Model } from '../../src/io/model.js';
import { checkWritable, readTextFile, writeFileAtomic } from '../files.js';

/** Reads a binary file, or throws a BackpropError naming it. */
function readBytes(path: string, what: string): Uint8Array {
  if (!existsSync(path)) throw new BackpropError('io', `cannot read ${what} '${path}': no such file`);
  if (statSync(path).isDirectory()) throw new BackpropError('io', `cannot read ${what} '${path}': it is a folder, expected a file`);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    throw new BackpropError('io', `cannot read ${what} '${path}': ${(err as Error).message}`);
  }
}

/** The model.json the argument names: the file itself, or the one in the folder. */
function modelJsonPath(arg: string): string {
  if (!existsSync(arg)) throw new BackpropError('io', `cannot import '${arg}': no such file or folder`);
  return statSync(arg).isDirectory() ? join(arg, 'model.json') : arg;
}

/** A PyTorch folder (model.json and model.safetensors) or a TF.js Layers model.json, as a model. */
async function importModel(arg: string): Promise<{ model: Model; kind: string }> {
  const jsonPath = modelJsonPath(arg);
  const text = readTextFile(jsonPath, 'model file');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new BackpropError('model', `${jsonPath} is not valid JSON (truncated or damaged?): ${(err as Error).message.replace(/\s+/g, ' ')}`);
  }
  const dir = dirname(resolve(jsonPath));
  if (parsed !== null && typeof parsed === 'object' && 'modelTopology' in parsed) {
    const { fromTFJS } = await import('../../src/io/tfjs.js');
    const model = fromTFJS(text, (path) => readBytes(join(dir, path), `weights file of ${jsonPath}`), jsonPath);
    return { model, kind: 'TensorFlow.js Layers model' };
  }
  if (parsed !== null && typeof parsed === 'object' && (parsed as { format?: unknown }).format === 'backprop-model') {
    const { fromPyTorch } = await import('../../src/io/pytorch.js');
    const stPath = join(dirname(jsonPath), 'model.safetensors');
    const model = fromPyTorch(text, readBytes(stPath, 'the weights'), { json: jsonPath, safetensors: stPath });
    return { model, kind: 'PyTorch folder' };
  }
  throw new BackpropError(
    'model',
    `${jsonPath} is neither a TensorFlow.js Layers model (it has no modelTopology) nor the model file of a PyTorch folder (its format is not "backprop-model")`,
  );
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('read a PyTorch folder (written by export --pytorch or train.py) or a TensorFlow.js Layers model back into a model file')
    .argument('<path>', 'a folder with model.json and model.safetensors, or a TF.js model.json (its weights files beside it)')
    .requiredOption('--out <model.json>', 'the model file to write (written atomically)')
    .action(async (path: string, flags: { out: string }) => {
      checkWritable(flags.out, '--out');
      const { model, kind } = await importModel(path);
      const text = model.toText();
      writeFileAtomic(flags.out, text);
      const net = model.network;
      const shape = [net.inputs, ...net.layers.map((l) => l.units)].join('-');
      process.stdout.write(`wrote ${flags.out}: a ${shape} network (${net.layers.map((l) => l.activation.name).join(', ')}; loss ${net.loss.name}) from the ${kind} ${path}\n`);
    });
}
