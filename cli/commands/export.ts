import type { Command } from 'commander';
import { BackpropError } from '../../src/errors.js';
import type { Model } from '../../src/io/model.js';
import { toFunction } from '../../src/io/standalone.js';
import { checkDistinctOutputs, checkWritable, loadModel, writeFileAtomic } from '../files.js';
import { checkFolder, writeFolder } from '../folders.js';

interface ExportFlags {
  onnx?: string;
  js?: string;
  pytorch?: string;
  tfjs?: string;
  float64?: boolean;
}

/** What the outputs mean, in words. */
function outputsText(model: Model): string {
  const d = model.file.data;
  if (d.kind === 'regression') return `'${d.target}' in its own units`;
  if (model.network.outputs === 1) return `the probability of class '${d.classes![1]}' (else '${d.classes![0]}')`;
  return `one probability per class (${d.classes!.join(', ')})`;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a saved model as an ONNX model (for ONNX Runtime), a dependency-free JavaScript module, a PyTorch folder or a TensorFlow.js model')
    .argument('<model>', 'a model file saved by train --out')
    .option('--onnx <model.onnx>', 'write an ONNX model taking the raw feature columns')
    .option('--js <predict.js>', 'write an ES module whose default export is predict(row or rows)')
    .option('--pytorch <dir>', 'write a PyTorch folder: model.safetensors, model.json, model.py (load) and train.py (DistributedDataParallel)')
    .option('--tfjs <dir>', 'write a TensorFlow.js Layers model (model.json and model.weights.bin) taking the raw feature columns')
    .option('--float64', 'make the ONNX graph float64 (default float32)')
    .action(async (path: string, flags: ExportFlags) => {
      if (!flags.onnx && !flags.js && !flags.pytorch && !flags.tfjs) {
        throw new BackpropError('option', 'export needs --onnx <file>, --js <file>, --pytorch <dir> or --tfjs <dir>: say what to write');
      }
      if (flags.float64 && !flags.onnx) throw new BackpropError('option', '--float64 applies to --onnx only');
      checkDistinctOutputs([{ role: 'the model file', path }], [{ role: '--onnx', path: flags.onnx }, { role: '--js', path: flags.js }]);
      const model = loadModel(path);
      if (flags.onnx) checkWritable(flags.onnx, '--onnx');
      if (flags.js) checkWritable(flags.js, '--js');
      if (flags.pytorch) checkFolder(flags.pytorch, '--pytorch');
      if (flags.tfjs) checkFolder(flags.tfjs, '--tfjs');
      const net = model.network;
      const d = model.file.data;
      const scaling = model.file.preprocessing.features.kind;
      const inputs = `[N, ${net.inputs}]: ${d.features.join(', ')}${scaling === 'none' ? '' : ` (raw values; the ${scaling} scaling is inside the graph)`}`;

      if (flags.onnx) {
        const dtype = flags.float64 ? 'float64' : 'float32';
        // loaded here, so that the other commands do not load the protobuf encoder
        const { onnxOptionsForModel, toONNX, ONNX_OPSET } = await import('../../src/io/onnx.js');
        const bytes = toONNX(net, { ...onnxOptionsForModel(model.file), dtype, producerVersion: program.version() });
        writeFileAtomic(flags.onnx, bytes);
        process.stdout.write(
          `wrote ${flags.onnx}: ONNX opset ${ONNX_OPSET}, ${dtype}, ${bytes.length} bytes\n` +
            `  input  "input"  ${dtype} ${inputs}\n` +
            `  output "output" ${dtype} [N, ${net.outputs}]: ${outputsText(model)}\n`,
        );
      }
      if (flags.js) {
        const header =
          `// predict(row) for the model ${path}, exported by backprop: a row is [${d.features.join(', ')}] (raw values);\n` +
          `// the result is ${outputsText(model)}. predict(rows) returns one result per row.\n`;
        const { features: preprocess, target: postprocess } = model.file.preprocessing;
        writeFileAtomic(flags.js, header + toFunction(net, { preprocess, postprocess, format: 'module' }));
        process.stdout.write(`wrote ${flags.js}: predict(row) takes ${net.inputs} raw features, returns ${outputsText(model)}\n`);
      }
      if (flags.pytorch) await exportPyTorch(model, flags.pytorch);
      if (flags.tfjs) await exportTFJS(model, flags.tfjs, program.version() ?? '');
    });
}

async function exportPyTorch(model: Model, dir: string): Promise<void> {
  const { toPyTorch } = await import('../../src/io/pytorch.js');
  writeFolder(dir, { ...toPyTorch(model) }, '--pytorch');
  process.stdout.write(
    `wrote ${dir}: model.safetensors (float32, layers.N.weight out × in), model.json, model.py, train.py\n` +
      `  python3 ${dir}/train.py DATA.csv --nproc 2 --out OUTDIR   (then: backprop import OUTDIR --out MODEL)\n`,
  );
}

async function exportTFJS(model: Model, dir: string, version: string): Promise<void> {
  const { toTFJS } = await import('../../src/io/tfjs.js');
  const files = toTFJS(model, { generatedBy: `backprop ${version}` });
  writeFolder(dir, { ...files }, '--tfjs');
  process.stdout.write(
    `wrote ${dir}: model.json and model.weights.bin, a TensorFlow.js Layers model on the ${model.network.inputs} raw features ` +
      `(the scaling is inside the first Dense layer); outputs: ${outputsText(model)}\n`,
  );
}
