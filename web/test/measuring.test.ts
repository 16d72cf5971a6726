// When the playground measures loss and accuracy while playing: every frame when it is cheap,
// else only once the time since the last measurement is a few times what it cost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHEAP_MS, MAX_AGE_MS, RATIO, measureDue, measuredNote } from '../src/measuring.js';

test('the first frame is measured', () => {
  assert.equal(measureDue(undefined, 0), true);
});

test('a measurement cheaper than CHEAP_MS is repeated every frame, however soon', () => {
  assert.equal(measureDue({ cost: CHEAP_MS - 0.1, end: 1000 }, 1000), true);
  assert.equal(measureDue({ cost: 0, end: 1000 }, 1000.5), true);
});

test('a costly measurement is repeated once RATIO times its cost has passed since it ended, not before', () => {
  const last = { cost: 137, end: 10_000 };
  assert.equal(measureDue(last, 10_000), false);
  assert.equal(measureDue(last, 10_000 + RATIO * 137 - 1), false);
  assert.equal(measureDue(last, 10_000 + RATIO * 137), true);
  assert.equal(measureDue({ cost: CHEAP_MS, end: 0 }, RATIO * CHEAP_MS - 0.5), false);
});

test('measuring on that rule takes at most 1/(1 + RATIO) of the time, frame by frame', () => {
  // frames of 20 ms of training; a measurement costs 137 ms and is part of the frame that takes it
  let now = 0;
  let measuring = 0;
  let last: { cost: number; end: number } | undefined;
  let measured = 0;
  for (let f = 0; f < 10_000; f++) {
    now += 20;
    if (measureDue(last, now)) {
      now += 137;
      measuring += 137;
      last = { cost: 137, end: now };
      measured++;
    }
  }
  assert.ok(measuring / now <= 1 / (1 + RATIO), `${measuring} of ${now} ms`);
  // and not much less: about once every 4 × 137 ms of training
  assert.ok(measuring / now > 0.15, `${measuring} of ${now} ms`);
  assert.ok(measured > 300, `${measured} measurements`);
});

test('a measurement that costs more than MAX_AGE_MS / RATIO is still repeated MAX_AGE_MS after it ended', () => {
  const last = { cost: 2000, end: 0 };
  assert.equal(measureDue(last, MAX_AGE_MS - 1), false);
  assert.equal(measureDue(last, MAX_AGE_MS), true);
});

test('the page names the step of figures older than the step shown, and says nothing of current ones', () => {
  assert.equal(measuredNote({ step: 1250, measuredAt: 1240 }), 'measured at step 1,240');
  assert.equal(measuredNote({ step: 1240, measuredAt: 1240 }), '');
  assert.equal(measuredNote({ step: 0, measuredAt: 0 }), '');
});
