// The playground's training session drives the library: each step is one batch of fit, and
// the matrices it shows are that batch's pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackpropError, Network, Trainer, evaluate, fit, optimizer } from '../../src/index.js';
import { DEFAULT_CONFIG, fitOptions, slidesConfig, type PlaygroundConfig } from '../src/config.js';
import { Session, type Progress } from '../src/session.js';

const sgd: PlaygroundConfig = { ...DEFAULT_CONFIG, optimizer: 'sgd', learningRate: 0.3, batch: 'mini', batchSize: 7 };

function weights(net: Network): number[] {
  return net.params().flatMap((p) => Array.from(p.value));
}

test('a step applies exactly the W_update and b_update of the traced batch (plain gradient descent)', () => {
  const s = new Session(sgd);
  for (let k = 0; k < 5; k++) {
    const before = weights(s.net);
    const view = s.traceNext();
    assert.equal(view.rows.length, 7);
    s.step();
    const updates = s.net.params().flatMap((p) => view.entries.find((e) => e.name === `${p.name}_update`)!.value.flat());
    const expected = before.map((w, i) => w - sgd.learningRate * updates[i]);
    assert.deepEqual(weights(s.net), expected, `step ${k + 1}`);
  }
});

test('a step is the library trainer\'s next step from the same weights, generator, optimizer state and place in the epoch', () => {
  const s = new Session({ ...DEFAULT_CONFIG, batchSize: 9 });
  s.run(3);
  s.step();
  const snap = s.snapshot();
  s.step();
  const net = Network.fromJSON(snap.model);
  net.rng.setState(snap.rng);
  const opt = optimizer(snap.config.optimizer);
  opt.setState(snap.optimizer);
  const trainer = new Trainer(net, s.data.trainX, s.data.trainY, { ...fitOptions(snap.config, s.data.trainX.length), optimizer: opt });
  trainer.resumeAt(snap.position);
  trainer.step();
  assert.deepEqual(weights(net), weights(s.net));
});

test('single steps and played epochs, mixed, give the weights of one call of fit over the same epochs', () => {
  const config: PlaygroundConfig = { ...DEFAULT_CONFIG, batch: 'mini', batchSize: 8 };
  const s = new Session(config);
  const fresh = Network.fromJSON(s.net.toJSON());
  fresh.rng.setState(s.net.rng.getState());
  const perEpoch = s.stepsPerEpoch;
  for (let k = 0; k < perEpoch + 3; k++) s.step();
  s.run(2); // finishes the second epoch, then a third
  for (let k = 0; k < perEpoch; k++) s.step();
  assert.equal(s.progress().step, 4 * perEpoch);
  assert.equal(s.progress().epoch, 4);
  assert.equal(s.history.loss.length, 2);
  fit(fresh, s.data.trainX, s.data.trainY, { ...fitOptions(config, s.data.trainX.length), epochs: 4, optimizer: optimizer(config.optimizer) });
  assert.deepEqual(weights(s.net), weights(fresh));
});

test('a live change of learning rate keeps the trainer\'s place: the steps are those of a library trainer given the same change', () => {
  const config: PlaygroundConfig = { ...DEFAULT_CONFIG, optimizer: 'momentum', learningRate: 0.1, batch: 'mini', batchSize: 10 };
  const s = new Session(config);
  const net = Network.fromJSON(s.net.toJSON());
  net.rng.setState(s.net.rng.getState());
  const opt = optimizer('momentum');
  const options = (lr: number) => ({ ...fitOptions({ ...config, learningRate: lr }, s.data.trainX.length), optimizer: opt });
  const first = new Trainer(net, s.data.trainX, s.data.trainY, options(0.1));
  for (let k = 0; k < 4; k++) {
    s.step();
    first.step();
  }
  s.retune({ ...config, learningRate: 0.03 });
  const second = new Trainer(net, s.data.trainX, s.data.trainY, options(0.03));
  second.resumeAt(first.state());
  for (let k = 0; k < 20; k++) {
    s.step();
    second.step();
  }
  assert.deepEqual(weights(s.net), weights(net));
  // a new batch size mid-epoch ends that epoch: the next step begins the next one
  assert.ok(s.position().batch > 0);
  s.retune({ ...s.config, batchSize: 25 });
  assert.equal(s.position().batch, 0);
  assert.equal(s.position().epoch, second.currentEpoch + 1);
});

test('run() trains whole epochs and counts their steps', () => {
  const s = new Session({ ...DEFAULT_CONFIG, batchSize: 10 });
  assert.equal(s.stepsPerEpoch, 15);
  s.run(1);
  assert.equal(s.progress().step, 15);
  assert.equal(s.progress().epoch, 1);
  s.run(3);
  assert.equal(s.progress().step, 60);
  s.step();
  assert.equal(s.progress().step, 61);
  assert.ok(Math.abs(s.progress().epoch - (4 + 10 / 150)) < 1e-12);
});

test('the default network learns XOR below a test loss of 0.05 within 2,000 steps', () => {
  const s = new Session(DEFAULT_CONFIG);
  while (s.progress().step < 2000 && s.progress().testLoss! >= 0.05) s.run(1);
  assert.ok(s.progress().testLoss! < 0.05, `test loss ${s.progress().testLoss} after ${s.progress().step} steps`);
});

test('the slides example gives the slides\' O_delta and W2_update under both conventions', () => {
  const formula = new Session(slidesConfig(DEFAULT_CONFIG)).traceNext();
  const get = (v: typeof formula, name: string) => v.entries.find((e) => e.name === name)!.value;
  assert.equal(Number(get(formula, 'O_delta')[0][0].toFixed(2)), -0.09);
  assert.deepEqual(get(formula, 'W2_update').map((r) => r.map((v) => Number(v.toFixed(3)))), [
    [0.069, 0.009, 0.059],
    [0.04, 0.009, 0.056],
  ]);
  const printed = new Session({ ...slidesConfig(DEFAULT_CONFIG), loss: 'half-mean-over-elements' }).traceNext();
  assert.deepEqual(get(printed, 'W2_update').map((r) => r.map((v) => Number(v.toFixed(3)))), [
    [0.023, 0.003, 0.02],
    [0.013, 0.003, 0.019],
  ]);
});

test('a step through a step activation is refused with the reason, and its trace shows zero deltas', () => {
  const config = { ...slidesConfig(DEFAULT_CONFIG), hidden: [{ units: 2, activation: 'step' }] };
  const s = new Session(config);
  const before = weights(s.net);
  const view = s.traceNext();
  assert.throws(() => s.step(), (e: unknown) => e instanceof BackpropError && e.code === 'untrainable' && /derivative/.test(e.message));
  assert.deepEqual(weights(s.net), before);
  assert.ok(view.entries.find((e) => e.name === 'H_delta')!.value.flat().every((v) => v === 0));
  assert.equal(s.progress().step, 0);
});

test('settings that do not fit together are refused with the library\'s message', () => {
  assert.throws(
    () => new Session({ ...DEFAULT_CONFIG, loss: 'cross-entropy' }),
    (e: unknown) => e instanceof BackpropError && /softmax/.test(e.message),
  );
});

test('the node grids hold every layer\'s output over the plane, and none for 4 inputs', () => {
  const s = new Session(DEFAULT_CONFIG);
  const g = s.grids(16)!;
  assert.deepEqual(g.layers.map((l) => l.length), [...DEFAULT_CONFIG.hidden.map((l) => 16 * 16 * l.units), 16 * 16]);
  const corner = s.net.predict([[g.box[0] + (0.5 / 16) * (g.box[1] - g.box[0]), g.box[3] - (0.5 / 16) * (g.box[3] - g.box[2])]]);
  assert.equal(g.layers[DEFAULT_CONFIG.hidden.length][0], Math.fround(corner[0][0]));
  assert.equal(new Session(slidesConfig(DEFAULT_CONFIG)).grids(16), undefined);
});

test('learning rate, optimizer and batch are live settings; anything else is a new network', async () => {
  const { sameNetwork } = await import('../src/config.js');
  const c = DEFAULT_CONFIG;
  assert.ok(sameNetwork(c, { ...c, learningRate: 0.3, optimizer: 'sgd', batch: 'full', batchSize: 3 }));
  assert.ok(sameNetwork(c, { ...c, data: { seed: c.data.seed, irisFeatures: c.data.irisFeatures, trainRatio: c.data.trainRatio, noise: c.data.noise, samples: c.data.samples, name: c.data.name } }));
  assert.ok(!sameNetwork(c, { ...c, loss: 'sum-of-squares' }));
  assert.ok(!sameNetwork(c, { ...c, hidden: [{ units: 8, activation: 'tanh' }] }));
  assert.ok(!sameNetwork(c, { ...c, data: { ...c.data, noise: 0.1 } }));
});

test('retune keeps the weights, and the optimizer\'s state when it is the same optimizer', () => {
  const s = new Session({ ...DEFAULT_CONFIG, batchSize: 9 });
  s.run(2);
  const w = weights(s.net);
  const state = s.optimizer.getState();
  s.retune({ ...s.config, learningRate: 0.1, batch: 'full' });
  assert.deepEqual(weights(s.net), w);
  assert.deepEqual(s.optimizer.getState(), state);
  assert.equal(s.batchSize, s.data.trainX.length);
  s.retune({ ...s.config, optimizer: 'momentum' });
  assert.notDeepEqual(s.optimizer.getState(), state);
  assert.equal(s.progress().step, 2 * Math.ceil(150 / 9));
});

/** A session whose clock moves `tick` ms at each reading, so that every measurement seems to cost `tick` ms. */
function ticking(config: PlaygroundConfig, tick: number): Session {
  const s = new Session(config);
  let now = 0;
  s.clock = () => (now += tick);
  return s;
}

test('while playing, a costly measurement is carried by the frames after it, with the step it was taken at', () => {
  const s = ticking(DEFAULT_CONFIG, 100);
  const figures = ({ trainLoss, testLoss, trainAccuracy, testAccuracy }: Progress) => ({ trainLoss, testLoss, trainAccuracy, testAccuracy });
  const first = s.frameProgress(true);
  assert.equal(first.measuredAt, 0);
  const measurements = new Map([[0, figures(first)]]);
  const at: number[] = [];
  for (let k = 1; k <= 12; k++) {
    s.step();
    const p = s.frameProgress(true);
    at.push(p.measuredAt);
    assert.equal(p.step, k);
    assert.ok(Math.abs(p.epoch - (k * 10) / 150) < 1e-12);
    // the library's figures of the weights now (not the session's: measuring moves its clock)
    const now = evaluate(s.net, s.data.testX, s.data.testY);
    if (p.measuredAt === p.step) {
      measurements.set(k, figures(p));
      assert.equal(p.testLoss, now.loss);
      assert.equal(p.testAccuracy, now.accuracy);
    } else {
      // the figures of the last measurement, unchanged
      assert.deepEqual(figures(p), measurements.get(p.measuredAt));
      assert.notEqual(p.testLoss, now.loss);
    }
  }
  // each reading of the clock moves it 100 ms: a measurement "costs" 100 ms, and the next one is
  // due once 400 ms have passed since it ended, i.e. at the fourth frame after it
  assert.deepEqual(at, [0, 0, 0, 4, 4, 4, 4, 8, 8, 8, 8, 12]);
});

test('a frame after a pause, a single step or a change of settings is measured afresh; played frames between are not', () => {
  const s = ticking(DEFAULT_CONFIG, 100);
  s.frameProgress(true);
  s.run(1);
  const played = s.frameProgress(true);
  assert.equal(played.measuredAt, 0);
  assert.equal(played.step, 15);
  // paused: the frame shows the figures of the weights shown
  const paused = s.frameProgress(false);
  assert.equal(paused.measuredAt, 15);
  const now = s.progress();
  assert.deepEqual(paused, now);
  s.step();
  s.frameProgress(true);
  s.step();
  assert.equal(s.frameProgress(true).measuredAt, 15);
  s.step();
  assert.deepEqual(s.frameProgress(false), { ...s.progress(), measuredAt: 18 });
  s.step();
  assert.equal(s.frameProgress(true).measuredAt, 18);
  // a new setting while playing: the next frame measures, then the rule goes on
  s.retune({ ...s.config, learningRate: 0.003, l2: 0.01 });
  const retuned = s.frameProgress(true);
  assert.equal(retuned.measuredAt, 19);
  s.step();
  assert.equal(s.frameProgress(true).measuredAt, 19);
});

test('cheap measurements are taken every frame while playing', () => {
  const s = new Session(DEFAULT_CONFIG);
  let now = 0;
  s.clock = () => (now += 0.5);
  for (let k = 1; k <= 5; k++) {
    s.step();
    const p = s.frameProgress(true);
    assert.equal(p.measuredAt, k);
    assert.deepEqual(p, s.progress());
  }
});
