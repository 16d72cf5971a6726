// The chain-rule examples of the slides, checked against the library's matrix backpropagation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Network, trace } from '../src/index.js';
import { fixture } from './helpers.js';

const ref = fixture('slides-other.json');

test('y = 3x − 2, z = y²: dz/dy = 8, dz/dw and dz/dx = 24 through two linear layers', () => {
  const c = ref.chain_rule_scalar;
  // layer 1 passes x through (weight 1); layer 2 computes y = 3x − 2; z = y² is the ΣΣ loss with target 0
  const net = new Network({
    inputs: 1,
    loss: 'sum-of-squares',
    layers: [
      { units: 1, activation: 'linear', weights: [[1]], biases: [0] },
      { units: 1, activation: 'linear', weights: [[3]], biases: [-2] },
    ],
  });
  const t = trace(net, [[c.x]], [[0]]);
  assert.equal(t.get('O_out')![0][0], c.y_at_x);
  assert.equal(t.loss.value, c.z_at_x);
  const scale = 2; // ∂(ΣΣ)/∂O_out = 2·O_error
  assert.equal(scale * t.get('O_delta')![0][0], c.dz_dy);
  assert.equal(scale * t.get('H_error')![0][0], c.dz_dx); // dz/dx = dz/dy · dy/dx = 8 · 3
  assert.equal(t.get('W2_update')![0][0], c.dz_dy * c.x); // dz/dw = dz/dy · x
  assert.equal(t.get('b2_update')![0][0], c.dz_dy);
});

test('2-2-2 network, E = ΣΣ: dE/dw5 = 0.1719 and dE/dw1 = 5.509e-4 (Neural Network II)', () => {
  const e = ref.two_two_two_sum_of_squares;
  const fv = e.forward_values;
  // Hidden weights w1 (i1→h1) = 0.15, w2 (i2→h1) = 0.20 with b1 = 0.35 give the slide's net_h1 = 0.3775;
  // w5 (h1→o1) = 0.4 and w7 (h1→o2) = 0.5 are the slide's; h2's outgoing weights are 0 and the
  // output biases are chosen so that net_o1 and net_o2 are the slide's values.
  const outH1 = 1 / (1 + Math.exp(-fv.net_h1));
  const net = new Network({
    inputs: 2,
    loss: 'sum-of-squares',
    layers: [
      { units: 2, activation: 'sigmoid', weights: [[0.15, 0.25], [0.2, 0.3]], biases: [0.35, 0.35] },
      {
        units: 2,
        activation: 'sigmoid',
        weights: [[e.weights_used.w5, e.weights_used.w7], [0, 0]],
        biases: [fv.net_o1 - e.weights_used.w5 * outH1, fv.net_o2 - e.weights_used.w7 * outH1],
      },
    ],
  });
  const t = trace(net, [[e.inputs.i1, e.inputs.i2]], [[e.targets.o1, e.targets.o2]]);
  assert.ok(Math.abs(t.get('H_in')![0][0] - fv.net_h1) < 1e-12);
  assert.equal(t.get('H_out')![0][0].toFixed(4), String(fv.out_h1));
  assert.equal(t.get('O_out')![0][0].toFixed(4), String(fv.out_o1));
  assert.equal(t.get('O_out')![0][1].toFixed(4), String(fv.out_o2));

  const dEdw5 = t.get('W2_update')![0][0];
  assert.equal(dEdw5.toFixed(4), String(e.dE_dw5));
  // the slide's chain, factor by factor
  const oOut = t.get('O_out')![0][0];
  assert.equal((2 * (oOut - e.targets.o1)).toFixed(4), String(e.dE_dout_o1));
  assert.equal((oOut * (1 - oOut)).toFixed(4), String(e.dout_o1_dnet_o1));

  // dE/dw1 by hand from the exact forward values …
  const oOut2 = t.get('O_out')![0][1];
  const d1 = 2 * (oOut - e.targets.o1) * oOut * (1 - oOut);
  const d2 = 2 * (oOut2 - e.targets.o2) * oOut2 * (1 - oOut2);
  const byHand = (d1 * e.weights_used.w5 + d2 * e.weights_used.w7) * outH1 * (1 - outH1) * e.inputs.i1;
  const dEdw1 = t.get('W1_update')![0][0];
  assert.ok(Math.abs(dEdw1 - byHand) < 1e-15, `${dEdw1} vs ${byHand}`);
  // … and the slide's printed 5.509e-4, which multiplies factors rounded to 4 digits (0.0048, 0.006): within 1 %
  assert.ok(Math.abs(dEdw1 - e.dE_dw1) / e.dE_dw1 < 0.01, `${dEdw1} vs ${e.dE_dw1}`);
  // the slide's own arithmetic with its rounded factors gives its printed number
  const slideArithmetic =
    e.dE_dout_o1 * e.dout_o1_dnet_o1 * e.dnet_o1_dw1 + 2 * (fv.out_o2 - e.targets.o2) * fv.out_o2 * (1 - fv.out_o2) * e.dnet_o2_dw1;
  assert.ok(Math.abs(slideArithmetic - e.dE_dw1) < 5e-7, `${slideArithmetic}`);
});

test("2-2-1 network, E = ½(A3 − y)²: the handwritten per-weight formulas equal matrix backpropagation", () => {
  const w = fc.double({ min: -3, max: 3, noNaN: true });
  fc.assert(
    fc.property(fc.tuple(w, w, w, w, w, w), fc.tuple(w, w), fc.double({ min: 0, max: 1, noNaN: true }), ([w11, w12, w21, w22, w31, w32], [x1, x2], yt) => {
      // A1 = σ(w11·x1 + w12·x2), A2 = σ(w21·x1 + w22·x2), A3 = σ(w31·A1 + w32·A2)
      const net = new Network({
        inputs: 2,
        bias: false,
        loss: 'half-sum-of-squares',
        layers: [
          { units: 2, weights: [[w11, w21], [w12, w22]] },
          { units: 1, weights: [[w31], [w32]] },
        ],
      });
      const t = trace(net, [[x1, x2]], [[yt]]);
      const [A1, A2] = t.get('H_out')![0];
      const A3 = t.get('O_out')![0][0];
      const common = (A3 - yt) * A3 * (1 - A3);
      const expected = {
        dE_dw31: common * A1,
        dE_dw32: common * A2,
        dE_dw11: common * w31 * A1 * (1 - A1) * x1,
        dE_dw12: common * w31 * A1 * (1 - A1) * x2,
        dE_dw21: common * w32 * A2 * (1 - A2) * x1,
        dE_dw22: common * w32 * A2 * (1 - A2) * x2,
      };
      const W1u = t.get('W1_update')!;
      const W2u = t.get('W2_update')!;
      const actual = {
        dE_dw31: W2u[0][0],
        dE_dw32: W2u[1][0],
        dE_dw11: W1u[0][0],
        dE_dw12: W1u[1][0],
        dE_dw21: W1u[0][1],
        dE_dw22: W1u[1][1],
      };
      for (const k of Object.keys(expected) as (keyof typeof expected)[]) {
        assert.ok(Math.abs(actual[k] - expected[k]) <= 1e-14 + 1e-12 * Math.abs(expected[k]), `${k}: ${actual[k]} vs ${expected[k]}`);
      }
    }),
    { numRuns: 300 },
  );
});
