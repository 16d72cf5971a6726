import type { Command } from 'commander';
import { BackpropError } from '../../src/errors.js';
import type { Model } from '../../src/io/model.js';
import { toFunction } from '../../src/io/standalone.js';
import { checkDistinctOutputs, checkWritable, loadModel, writeFileAtomic } from '../files.js';

interface ExportFlags {
  onnx?: string;
  js?: string;
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
    .description('write a saved model as an ONNX model (for ONNX Runtime) or as a dependency-free JavaScript module')
    .argument('<model>', 'a model file saved by train --out')
    .option('--onnx <model.onnx>', 'write an ONNX model taking the raw feature columns')
    .option('--js <predict.js>', 'write an ES module whose default export is predict(row or rows)')
    .option('--float64', 'make the ONNX graph float64 (default float32)')
    .action(async (path: string, flags: ExportFlags) => {
      if (!flags.onnx && !flags.js) {
        throw new BackpropError('option', 'export needs --onnx <file>, --js <file> or both: say what to write');
      }
      if (flags.float64 && !flags.onnx) throw new BackpropError('option', '--float64 applies to --onnx only');
      checkDistinctOutputs([{ role: 'the model file', path }], [{ role: '--onnx', path: flags.onnx }, { role: '--js', path: flags.js }]);
      const model = loadModel(path);
      if (flags.onnx) checkWritable(flags.onnx, '--onnx');
      if (flags.js) checkWritable(flags.js, '--js');
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
    });
}
