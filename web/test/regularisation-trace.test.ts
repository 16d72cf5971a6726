// Regularisation in the playground's pass and model files, in Node: the step-through works a
// W_update cell out with the penalty's term, the session's trace is the library's with the
// config's l1 and l2, and model files carry l1/l2 out and back into the L1 and L2 controls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IRIS3, Network, parseModelFile, slidesIrisNetwork, trace } from '../../src/index.js';
import { DEFAULT_CONFIG, type PlaygroundConfig } from '../src/config.js';
import { configFor, exportModel, loadModel } from '../src/model-io.js';
import { Session } from '../src/session.js';
import { StepPlan } from '../src/step/plan.js';

test('the step-through\'s W_update cell with L2 and L1: the products, then + l2·W + l1·sign(W), equal to the trace\'s value', () => {
  const [l1, l2] = [0.01, 0.003];
  const net = slidesIrisNetwork(IRIS3, 'half-mean-over-elements'); // scale 1/(NK): a bracket inside the scale's text
  const t = trace(net, IRIS3.X, IRIS3.Y, { l1, l2 });
  const plan = new StepPlan(t.entries, 0.1, 'sgd', { l1, l2 });
  const stage = plan.stages.find((s) => s.name === 'W1_update')!;
  const sources = plan.sources(stage, 2, 1);
  assert.deepEqual(sources.map((s) => s.matrix), ['X', 'H_delta', 'W1']);
  assert.deepEqual(sources[2].cells, [[2, 1]]);
  const w = t.get('W1')![2][1];
  const x = t.get('X')!.map((row) => row[2]);
  const d = t.get('H_delta')!.map((row) => row[1]);
  const scale = 1 / (3 * 3);
  const recomputed = scale * x.reduce((s, v, k) => s + v * d[k], 0) + l2 * w + l1 * Math.sign(w);
  assert.ok(Math.abs(recomputed - stage.value[2][1]) < 1e-15);
  const worked = plan.arithmetic(stage, 2, 1, (v) => v.toFixed(3));
  assert.ok(worked.startsWith('1/(NK) · ('), worked);
  assert.ok(worked.endsWith(`) + 0.003·(${w.toFixed(3)}) + 0.01·sign(${w.toFixed(3)}) = ${stage.value[2][1].toFixed(3)}`), worked);
  // W1 ← W1 − α·W1_update takes the update with the penalty
  const next = plan.stages.find((s) => s.name === 'W1_new')!;
  assert.equal(next.value[2][1], w - 0.1 * stage.value[2][1]);
  // without the penalty the plan reads no weight for W_update
  const plain = new StepPlan(trace(net, IRIS3.X, IRIS3.Y).entries, 0.1, 'sgd');
  assert.deepEqual(plain.sources(plain.stages.find((s) => s.name === 'W1_update')!, 2, 1).map((s) => s.matrix), ['X', 'H_delta']);
});

test('the session\'s trace is the library\'s with the config\'s L2, or L1 and L2, and its step subtracts that W_update', () => {
  for (const penalty of [{ l2: 0.03 }, { l1: 0.01, l2: 0.03 }]) {
    const config: PlaygroundConfig = { ...DEFAULT_CONFIG, optimizer: 'sgd', learningRate: 0.3, l1: 0, ...penalty };
    const s = new Session(config);
    const view = s.traceNext();
    const net = Network.fromJSON(s.net.toJSON());
    const lib = trace(net, view.rows.map((i) => s.data.trainX[i]), view.rows.map((i) => s.data.trainY[i]), penalty);
    assert.deepEqual(view.entries, lib.entries);
    assert.equal(view.loss.value, lib.loss.value);
    assert.match(view.loss.formula, 'l1' in penalty ? /\+ l2\/2·ΣW² \+ l1·Σ\|W\|/ : /\+ l2\/2·ΣW² over/);
    // with both on, the update is neither the L2 one alone nor the L1 one alone
    if ('l1' in penalty) {
      const rows = [view.rows.map((i) => s.data.trainX[i]), view.rows.map((i) => s.data.trainY[i])] as const;
      assert.notDeepEqual(lib.get('W1_update'), trace(net, ...rows, { l2: 0.03 }).get('W1_update'));
      assert.notDeepEqual(lib.get('W1_update'), trace(net, ...rows, { l1: 0.01 }).get('W1_update'));
    }
    const before = net.layers[0].W.toArray();
    s.step();
    const update = lib.get('W1_update')!;
    assert.deepEqual(s.net.layers[0].W.toArray(), before.map((row, r) => row.map((v, c) => v - 0.3 * update[r][c])));
  }
});

test('a model file carries the L1 and L2 controls out (training.l1 and l2, those on) and back in', () => {
  for (const [l1, l2] of [[0, 0.003], [0.01, 0], [0.0001, 0.03]]) {
    const s = new Session({ ...DEFAULT_CONFIG, l1, l2 });
    s.run(1);
    const text = exportModel(s);
    const file = parseModelFile(text, 'exported');
    assert.equal(file.training.l1, l1 || undefined);
    assert.equal(file.training.l2, l2 || undefined);
    const back = loadModel(text, 'exported', { ...DEFAULT_CONFIG, l1: 0.1, l2: 0.1 });
    assert.deepEqual([back.config.l1, back.config.l2], [l1, l2]);
  }
  const none = parseModelFile(exportModel(new Session(DEFAULT_CONFIG)), 'exported');
  assert.equal(none.training.l1, undefined);
  assert.equal(none.training.l2, undefined);
  const current = { ...DEFAULT_CONFIG, l1: 0.1, l2: 0.01 };
  const loaded = configFor(none, Network.fromJSON(none.network as never), current, 'x');
  assert.deepEqual([loaded.l1, loaded.l2], [0, 0]); // a file without l1 and l2 was trained without either
  // a file with both (the command line's --l1 --l2): the page goes on with both
  const both = configFor({ ...none, training: { ...none.training, l1: 0.01, l2: 0.1 } }, Network.fromJSON(none.network as never), current, 'x');
  assert.deepEqual([both.l1, both.l2], [0.01, 0.1]);
});
