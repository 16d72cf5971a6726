// The first slide set's worked example: 3 Iris samples through a 4-2-3 sigmoid network without
// biases. Every matrix of the pass must equal the reference within 1e-9.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IRIS3, LOSS_NAMES, Network, slidesIrisNetwork, trace } from '../src/index.js';
import { assertClose, cli, fixture } from './helpers.js';

const ref = fixture('iris3-slides.json');

test('the bundled example is the reference example', () => {
  assert.deepEqual(IRIS3.X, ref.X);
  assert.deepEqual(IRIS3.W1, ref.W1);
  assert.deepEqual(IRIS3.W2, ref.W2);
  assert.deepEqual(IRIS3.Y, ref.Y);
});

test('forward pass: H_in, H_out, O_in, O_out equal the reference within 1e-9', () => {
  const t = trace(slidesIrisNetwork(ref), ref.X, ref.Y);
  for (const name of ['H_in', 'H_out', 'O_in', 'O_out']) assertClose(t.get(name)!, ref.forward[name], 1e-9, name);
});

test('backward pass: O_error, O_delta, H_error, H_delta equal the reference within 1e-9', () => {
  const t = trace(slidesIrisNetwork(ref), ref.X, ref.Y);
  for (const name of ['O_error', 'O_delta', 'H_error', 'H_delta']) assertClose(t.get(name)!, ref.backward[name], 1e-9, name);
});

test("the slide's formula, 1/(2N)·ΣΣ, gives W2_update = 1/N·H_outᵀ·O_delta and W1_update", () => {
  const t = trace(slidesIrisNetwork(ref, 'half-mean-over-samples'), ref.X, ref.Y);
  assertClose(t.get('W2_update')!, ref.gradients.half_mean_over_samples.W2_update, 1e-9, 'W2_update');
  assertClose(t.get('W1_update')!, ref.gradients.half_mean_over_samples.W1_update, 1e-9, 'W1_update');
});

test("the all-elements convention, 1/(2NK)·ΣΣ, gives the W2_update printed on the slide", () => {
  const t = trace(slidesIrisNetwork(ref, 'half-mean-over-elements'), ref.X, ref.Y);
  assertClose(t.get('W2_update')!, ref.gradients.half_mean_over_all_elements.W2_update, 1e-9, 'W2_update');
  assertClose(t.get('W1_update')!, ref.gradients.half_mean_over_all_elements.W1_update, 1e-9, 'W1_update');
  const printed = t.get('W2_update')!.map((r) => r.map((v) => v.toFixed(3)));
  assert.deepEqual(printed, ref.gradients.slide_printed_W2_update.map((r: number[]) => r.map((v) => v.toFixed(3))));
});

test('each squared-error convention gives the reference loss', () => {
  const expected: Record<string, number> = {
    'half-mean-over-samples': ref.loss.half_mean_over_samples,
    'mean-over-samples': ref.loss.mean_over_samples,
    'sum-of-squares': ref.loss.sum_of_squares,
    'half-sum-of-squares': ref.loss.sum_of_squares / 2,
    'half-mean-over-elements': ref.loss.half_mean_over_all_elements,
    'mean-over-elements': ref.loss.mean_over_all_elements,
  };
  for (const name of LOSS_NAMES.filter((n) => !n.includes('entropy'))) {
    const t = trace(slidesIrisNetwork(ref, name), ref.X, ref.Y);
    assert.ok(Math.abs(t.loss.value - expected[name]) < 1e-12, `${name}: ${t.loss.value} vs ${expected[name]}`);
    assert.match(t.loss.formula, /Σ/);
  }
});

test('the trace names the slides’ matrices with their formulas, and does not change the weights', () => {
  const net = slidesIrisNetwork(ref);
  const before = JSON.stringify(net.toJSON());
  const t = trace(net, ref.X, ref.Y);
  const names = t.entries.map((e) => e.name);
  for (const n of ['X', 'W1', 'W2', 'Y', 'H_in', 'H_out', 'O_in', 'O_out', 'O_error', 'O_delta', 'W2_update', 'H_error', 'H_delta', 'W1_update']) {
    assert.ok(names.includes(n), `missing ${n}`);
  }
  assert.match(t.entries.find((e) => e.name === 'O_delta')!.formula, /O_error ⊙ sigmoid'\(O_in\)/);
  assert.match(t.entries.find((e) => e.name === 'W2_update')!.formula, /1\/N · H_outᵀ·O_delta/);
  assert.match(t.entries.find((e) => e.name === 'H_error')!.formula, /O_delta·W2ᵀ/);
  assert.equal(JSON.stringify(net.toJSON()), before);
});

test('deeper networks get per-layer names H1, H2, …, O', () => {
  const net = new Network({ inputs: 2, layers: [{ units: 3 }, { units: 2 }, { units: 1 }] });
  const t = trace(net, [[0, 1]], [[1]]);
  const names = t.entries.map((e) => e.name);
  for (const n of ['H1_in', 'H1_out', 'H2_in', 'H2_out', 'O_in', 'O_out', 'O_error', 'O_delta', 'W3_update', 'H2_error', 'H2_delta', 'W2_update', 'H1_error', 'H1_delta', 'W1_update', 'b1_update']) {
    assert.ok(names.includes(n), `missing ${n}`);
  }
});

test('`backprop trace --example iris3 --json` prints the reference matrices', () => {
  const r = cli(['trace', '--example', 'iris3', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  for (const name of ['H_in', 'H_out', 'O_in', 'O_out']) assertClose(out[name], ref.forward[name], 1e-9, name);
  for (const name of ['O_error', 'O_delta', 'H_error', 'H_delta']) assertClose(out[name], ref.backward[name], 1e-9, name);
  assertClose(out.W2_update, ref.gradients.half_mean_over_samples.W2_update, 1e-9, 'W2_update');
  assert.equal(out.loss.name, 'half-mean-over-samples');
  assert.ok(Math.abs(out.loss.value - ref.loss.half_mean_over_samples) < 1e-12);
  assert.match(out.loss.formula, /1\/\(2N\)/);
});

test('`backprop trace --example iris3 --loss half-mean-over-elements` prints the slide’s numbers', () => {
  const r = cli(['trace', '--example', 'iris3', '--loss', 'half-mean-over-elements']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /W2_update[^\n]*\n\[\[0\.023 0\.003 0\.020\]\n \[0\.013 0\.003 0\.019\]\]/);
  assert.match(r.stdout, /O_delta[^\n]*\n\[\[-0\.090/);
});

test('trace rejects an unknown example or loss with a clear message', () => {
  const a = cli(['trace', '--example', 'iris4']);
  assert.equal(a.status, 1);
  assert.match(a.stderr, /unknown example 'iris4'.*iris3/);
  const b = cli(['trace', '--example', 'iris3', '--loss', 'l2']);
  assert.equal(b.status, 1);
  assert.match(b.stderr, /unknown loss 'l2'.*half-mean-over-samples/);
});
