import type { Command } from 'commander';
import { XOR, XOR_SLIDE_ITERATIONS } from '../../src/data/examples.js';
import { BackpropError } from '../../src/errors.js';
import { Network } from '../../src/index.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .argument('<name>', 'xor')
    .description('XOR as in the slides: a 2-2-1 sigmoid network, learning rate 0.5, squared error, full batch')
    .option('--seed <n>', 'seed of the initial weights', '1')
    .option('--lr <x>', 'learning rate', '0.5')
    .action((name: string, opts: { seed: string; lr: string }) => {
      if (name !== 'xor') throw new BackpropError('option', `unknown demo '${name}': expected xor`);
      const seed = Number(opts.seed);
      const lr = Number(opts.lr);
      if (!Number.isInteger(seed)) throw new BackpropError('option', `--seed must be a whole number, got '${opts.seed}'`);
      if (!(lr > 0)) throw new BackpropError('option', `--lr must be a positive number, got '${opts.lr}'`);
      const net = new Network({
        inputs: 2,
        layers: [
          { units: 2, activation: 'sigmoid' },
          { units: 1, activation: 'sigmoid' },
        ],
        loss: 'half-sum-of-squares',
        seed,
      });
      const rows: string[] = [];
      const show = (iteration: number) => {
        const out = net.predict(XOR.X).map((r) => r[0].toFixed(2));
        rows.push(`${String(iteration).padStart(9)} | ${out.map((v) => v.padStart(5)).join(' ')}`);
      };
      show(0);
      const last = XOR_SLIDE_ITERATIONS[XOR_SLIDE_ITERATIONS.length - 1];
      net.fit(XOR.X, XOR.Y, {
        epochs: last,
        learningRate: lr,
        onEpochEnd: ({ epoch }) => {
          if (XOR_SLIDE_ITERATIONS.includes(epoch)) show(epoch);
        },
      });
      const header = `iteration | ${XOR.X.map((x) => `${x[0]},${x[1]}`.padStart(5)).join(' ')}`;
      process.stdout.write(
        `XOR, 2-2-1 sigmoid, learning rate ${lr}, loss ½·ΣΣ(O_out − Y)², full batch, seed ${seed}\n` +
          `targets   | ${XOR.Y.map((y) => String(y[0]).padStart(5)).join(' ')}\n${header}\n${'-'.repeat(header.length)}\n${rows.join('\n')}\n`,
      );
    });
}
