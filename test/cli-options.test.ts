// The command line's option checks: each bad value is refused with the option's name, the
// value given and what was expected; good values come back parsed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackpropError } from '../src/index.js';
import * as opt from '../cli/options.js';

function refused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof BackpropError && pattern.test(err.message));
}

test('whole numbers, seeds, positive numbers and fractions', () => {
  assert.equal(opt.wholeNumber('--epochs', '30'), 30);
  for (const raw of ['-1', '0', '2.5', 'ten', '', ' ']) refused(() => opt.wholeNumber('--epochs', raw), new RegExp(`^--epochs must be a whole number ≥ 1, got '${raw}'$`));
  refused(() => opt.wholeNumber('--digits', '18', 0, 17), /--digits must be a whole number from 0 to 17, got '18'/);
  assert.equal(opt.integer('--seed', '-7'), -7);
  refused(() => opt.integer('--seed', '1.5'), /--seed must be a whole number, got '1\.5'/);
  assert.equal(opt.positive('--lr', '1e-3'), 0.001);
  for (const raw of ['0', '-0.1', 'Infinity', 'NaN', 'fast']) refused(() => opt.positive('--lr', raw), /^--lr must be a number greater than 0/);
  assert.equal(opt.fraction('--test-split', '0', true), 0);
  refused(() => opt.fraction('--validation-split', '0', false), /--validation-split must be a fraction > 0 and < 1/);
  for (const raw of ['1', '1.5', '-0.2']) refused(() => opt.fraction('--test-split', raw, true), /--test-split must be a fraction ≥ 0 and < 1/);
});

test('regularisation coefficients: numbers ≥ 0', () => {
  assert.equal(opt.nonNegative('--l2', '0.001'), 0.001);
  assert.equal(opt.nonNegative('--l1', '0'), 0);
  for (const raw of ['-0.1', 'NaN', 'Infinity', 'lots', '']) refused(() => opt.nonNegative('--l1', raw), new RegExp(`^--l1 must be a number ≥ 0, such as 0\\.001 \\(0: none\\), got '${raw}'$`));
});

test('batch sizes and hidden layers', () => {
  assert.equal(opt.batchSize('--batch', 'full'), 'full');
  assert.equal(opt.batchSize('--batch', 'FULL'), 'full');
  assert.equal(opt.batchSize('--batch', '1'), 1);
  for (const raw of ['0', '-4', '2.5', 'half']) refused(() => opt.batchSize('--batch', raw), /--batch must be 'full' or a whole number ≥ 1/);
  assert.deepEqual(opt.layers('--layers', '16, 8'), [16, 8]);
  assert.deepEqual(opt.layers('--layers', 'none'), []);
  for (const raw of ['16,0', '', '8,,4', '3.5', 'big']) refused(() => opt.layers('--layers', raw), /--layers must be hidden layer sizes/);
});

test('names of activations, losses and choices', () => {
  assert.equal(opt.activationName('--activation', 'Leaky_ReLU'), 'leaky-relu');
  refused(() => opt.activationName('--output-activation', 'maxout'), /^--output-activation: unknown activation 'maxout': expected one of sigmoid/);
  assert.equal(opt.lossName('--loss', 'mse'), 'half-mean-over-samples');
  assert.equal(opt.lossName('--loss', 'CROSS_ENTROPY'), 'cross-entropy');
  refused(() => opt.lossName('--loss', 'hinge'), /^--loss: unknown loss 'hinge'/);
  assert.equal(opt.choice('--optimizer', 'Adam', ['sgd', 'adam']), 'adam');
  refused(() => opt.choice('--optimizer', 'lbfgs', ['sgd', 'adam']), /--optimizer: unknown value 'lbfgs': expected one of sgd, adam/);
  assert.equal(opt.delimiter('--delimiter', 'tab'), '\t');
  assert.equal(opt.delimiter('--delimiter', ';'), ';');
  refused(() => opt.delimiter('--delimiter', ';;'), /--delimiter must be one character/);
});
