// The step-through's plan: the trace's matrices in the slides' order, and for each cell the cells
// it was computed from; recomputing a cell from those cells alone gives the trace's value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IRIS3, Network, slidesIrisNetwork, trace } from '../../src/index.js';
import { StepPlan, type Stage } from '../src/step/plan.js';

/** Cell (r, c) of a stage recomputed from the source cells the plan names. */
function recompute(plan: StepPlan, stage: Stage, r: number, c: number, scale: number): number | undefined {
  const src = plan.sources(stage, r, c);
  const values = (k: number) => src[k].cells.map(([a, b]) => plan.matrix(src[k].matrix)![a][b]);
  const dot = (a: number[], b: number[]) => a.reduce((s, v, k) => s + v * b[k], 0);
  switch (stage.kind) {
    case 'in':
      return dot(values(0), values(1)) + (src[2] ? values(2)[0] : 0);
    case 'W_update':
      return scale * dot(values(0), values(1));
    case 'error':
      return src[1].matrix === 'Y' ? values(0)[0] - values(1)[0] : dot(values(0), values(1));
    case 'W_apply':
      return values(0)[0] - 0.1 * values(1)[0];
    default:
      return undefined;
  }
}

function checkAll(plan: StepPlan, scale: number): number {
  let checked = 0;
  for (const stage of plan.stages) {
    stage.value.forEach((row, r) =>
      row.forEach((v, c) => {
        const got = recompute(plan, stage, r, c, scale);
        if (got === undefined) return;
        assert.ok(Math.abs(got - v) < 1e-12, `${stage.name}[${r}][${c}]: ${got} from its sources, ${v} in the trace`);
        checked++;
      }),
    );
  }
  return checked;
}

test('the slides\' network: the stages in the slides\' order, each cell recomputed from the cells it names', () => {
  const t = trace(slidesIrisNetwork(IRIS3), IRIS3.X, IRIS3.Y);
  const plan = new StepPlan(t.entries, 0.1, 'sgd');
  assert.deepEqual(
    plan.stages.map((s) => s.name),
    ['H_in', 'H_out', 'O_in', 'O_out', 'O_error', 'O_delta', 'W2_update', 'H_error', 'H_delta', 'W1_update', 'W1_new', 'W2_new'],
  );
  const hIn = plan.stages[0];
  assert.deepEqual(plan.sources(hIn, 1, 0), [
    { matrix: 'X', cells: [[1, 0], [1, 1], [1, 2], [1, 3]] },
    { matrix: 'W1', cells: [[0, 0], [1, 0], [2, 0], [3, 0]] },
  ]);
  assert.deepEqual(plan.lit(hIn, 1, 0), { nodes: [[0, 0], [0, 1], [0, 2], [0, 3], [1, 0]], edges: [[0, 0, 0], [0, 1, 0], [0, 2, 0], [0, 3, 0]] });
  assert.equal(plan.stages[10].title, 'W1 ← W1 − α·W1_update');
  assert.ok(checkAll(plan, 1 / 3) > 30);
});

test('two hidden layers with biases: H1_…, H2_…, O_…, the bias updates, every cell from its sources', () => {
  const net = new Network({
    inputs: 3,
    seed: 4,
    layers: [{ units: 4, activation: 'tanh' }, { units: 3, activation: 'relu' }, { units: 2, activation: 'sigmoid' }],
  });
  const X = [[0.1, -0.4, 0.9], [0.5, 0.2, -0.3], [-0.7, 0.8, 0.05], [0.3, 0.3, 0.3], [0.9, -0.1, -0.6]];
  const Y = [[1, 0], [0, 1], [1, 1], [0, 0], [1, 0]];
  const t = trace(net, X, Y);
  const plan = new StepPlan(t.entries, 0.1, 'adam');
  const names = plan.stages.map((s) => s.name);
  assert.deepEqual(names.slice(0, 6), ['H1_in', 'H1_out', 'H2_in', 'H2_out', 'O_in', 'O_out']);
  assert.deepEqual(names.slice(-6), ['W1_new', 'b1_new', 'W2_new', 'b2_new', 'W3_new', 'b3_new']);
  assert.ok(names.includes('b2_update') && names.includes('H2_delta'));
  assert.match(plan.stages.at(-1)!.formula, /adam scales each step/);
  const h2err = plan.stages.find((s) => s.name === 'H2_error')!;
  assert.deepEqual(plan.sources(h2err, 2, 1).map((s) => s.matrix), ['O_delta', 'W3']);
  assert.deepEqual(plan.lit(h2err, 2, 1), { nodes: [[2, 1], [3, 0], [3, 1]], edges: [[2, 1, 0], [2, 1, 1]] });
  // half-mean-over-samples by default: W_update = 1/N · inᵀ·delta
  assert.ok(checkAll(plan, 1 / X.length) > 60);
});

test('a cell worked out from its sources: the products written out, the result at the end', () => {
  const t = trace(slidesIrisNetwork(IRIS3), IRIS3.X, IRIS3.Y);
  const plan = new StepPlan(t.entries, 0.1, 'sgd');
  const fmt = (v: number) => v.toFixed(2);
  const at = (name: string) => plan.stages.find((s) => s.name === name)!;
  assert.equal(plan.arithmetic(at('H_in'), 1, 1, fmt), '6.40·0.40 + 3.20·0.00 + 4.50·(-0.40) + 1.50·0.10 = 0.91');
  assert.match(plan.arithmetic(at('W2_update'), 1, 1, fmt), /^1\/N · \(0\.\d\d·0\.\d\d \+ .+\) = 0\.01$/);
  assert.match(plan.arithmetic(at('O_error'), 0, 0, fmt), /^0\.\d\d − 1\.00 = -0\.\d\d$/);
  assert.equal(plan.arithmetic(at('H_out'), 0, 0, fmt), '');
});
