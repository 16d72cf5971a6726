// The long run (npm run test:long): backpropagation against numerical gradients on well over
// 1,000 random architectures, then on wider and deeper ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gradientCheck, Matrix, type GradientCheckOptions } from '../../src/index.js';
import { buildGradientCase, gradientCaseArb, gradientCases, nearKink, type GradientCase } from '../arbitraries.js';

/** One architecture: its sizes, activations, output, loss and bias switch. */
function architecture(c: GradientCase): string {
  return [c.inputs, ...c.hidden.map((h) => `${h.units}${h.activation}`), `${c.outputs}${c.outActivation}`, c.loss, c.bias].join(' ');
}

/** Gradient checks on `numRuns` cases; `options` picks the check's options, or undefined to skip a case, from its loss. */
function run(arb: fc.Arbitrary<GradientCase>, numRuns: number, options: (loss: number) => GradientCheckOptions | undefined) {
  const architectures = new Set<string>();
  let checked = 0;
  let worst = 0;
  fc.assert(
    fc.property(arb, (c) => {
      const { net, X, Y } = buildGradientCase(c);
      fc.pre(!nearKink(net, X));
      const o = options(Math.abs(net.lossOn(Matrix.from(X), Matrix.from(Y))));
      fc.pre(o !== undefined);
      const r = gradientCheck(net, X, Y, o);
      assert.ok(
        r.maxRelativeError < 1e-6,
        `${architecture(c)}: max relative error ${r.maxRelativeError} at ${r.worst.param}[${r.worst.index}]: analytic ${r.worst.analytic}, numeric ${r.worst.numeric}`,
      );
      architectures.add(architecture(c));
      checked += r.checked;
      worst = Math.max(worst, r.maxRelativeError);
    }),
    { numRuns },
  );
  return { architectures: architectures.size, checked, worst };
}

/*
 * The numerical gradient carries a rounding error of about 1e-13·|L| (five-point formula, step
 * 1e-3). With gradientCheck's default floor of 1e-6 that alone exceeds 1e-6 relative error on
 * the smallest gradients once the loss passes about 5, so the default check runs on losses up
 * to 2; the next test covers larger losses.
 */
test('gradient check (default options) within 1e-6 on at least 1,000 random architectures', () => {
  const r = run(gradientCaseArb, 3000, (loss) => (loss <= 2 ? {} : undefined));
  console.log(`# gradient check: ${r.architectures} architectures, ${r.checked} weights, worst relative error ${r.worst.toExponential(2)}`);
  assert.ok(r.architectures >= 1000, `only ${r.architectures} distinct architectures checked`);
});

/*
 * Wider and deeper networks on more rows, any loss: gradients below 1e-5·|L| are compared by
 * absolute error (floor), as the numerical reference cannot resolve them better. Initial weights
 * lie in ±0.5 so that sigmoid and tanh are not driven deep into saturation, where the
 * five-point formula's truncation error (which grows with the fifth derivative) takes over.
 */
test('gradient check within 1e-6 on wider and deeper networks (floor 1e-5·|L|)', () => {
  const limits = { inputs: 8, units: 10, hiddenLayers: 5, outputs: 6, rows: 10, initRange: 0.5 };
  const r = run(gradientCases(limits), 1000, (loss) => ({ floor: Math.max(1e-6, 1e-5 * loss) }));
  console.log(`# gradient check, larger networks: ${r.architectures} architectures, ${r.checked} weights, worst relative error ${r.worst.toExponential(2)}`);
  assert.ok(r.architectures >= 800, `only ${r.architectures} distinct architectures checked`);
});
