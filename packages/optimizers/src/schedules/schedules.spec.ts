import {
  LrSchedule, adam, cosineAnnealingLR, exponentialLR, lambdaLR, linearLR, linearWarmup, lrScheduler, multiStepLR,
  reduceLROnPlateau, sequential, sgd, stepLR,
} from '../index';
import { expectCode, randomParam } from '../spec-helpers';

/** The lr at creation and after each of `steps` calls of step(), through a real optimizer. */
function lrs(schedule: LrSchedule, baseLr: number, steps = 10): number[] {
  const opt = sgd([randomParam([1])], { lr: baseLr });
  const sched = lrScheduler(opt, schedule);
  const out = [opt.lr];
  for (let k = 0; k < steps; k++) {
    const lr = sched.step();
    expect(opt.lr).toBe(lr);
    expect(sched.lr).toBe(lr);
    out.push(lr);
  }
  return out;
}

function expectLrs(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 13));
}

// Expected values worked from PyTorch's closed forms (comments give the formula).
describe('schedules: lr over 10 steps', () => {
  it('stepLR(3, 0.5): base * 0.5^floor(t / 3)', () => {
    expectLrs(lrs(stepLR(3, 0.5), 0.1), [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125]);
  });
  it('multiStepLR([2, 5], 0.1): base * 0.1^(milestones passed)', () => {
    expectLrs(lrs(multiStepLR([5, 2]), 1), [1, 1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01]);
  });
  it('exponentialLR(0.9): base * 0.9^t', () => {
    expectLrs(lrs(exponentialLR(0.9), 2), [2, 1.8, 1.62, 1.458, 1.3122, 1.18098, 1.062882, 0.9565938, 0.86093442, 0.774840978, 0.6973568802]);
  });
  it('cosineAnnealingLR(10, 0.01): 0.01 + 0.09 (1 + cos(pi t / 10)) / 2', () => {
    expectLrs(lrs(cosineAnnealingLR(10, 0.01), 0.1), [
      0.1, 0.0977975432332819, 0.0914057647468726, 0.0814503363531613, 0.0689057647468726, 0.055,
      0.0410942352531274, 0.0285496636468387, 0.0185942352531274, 0.0122024567667181, 0.01,
    ]);
  });
  it('cosineAnnealingLR past tMax rises again, as PyTorch (period 2 tMax)', () => {
    const values = lrs(cosineAnnealingLR(4), 1, 8);
    expectLrs(values, [1, 0.853553390593274, 0.5, 0.146446609406726, 0, 0.146446609406726, 0.5, 0.853553390593274, 1]);
  });
  it('linearLR defaults (1/3 -> 1 over 5): base * (1/3 + (2/3) min(t, 5) / 5)', () => {
    expectLrs(lrs(linearLR(), 0.3, 7), [0.1, 0.14, 0.18, 0.22, 0.26, 0.3, 0.3, 0.3]);
  });
  it('linearWarmup(4): base * t / 4, then base', () => {
    expectLrs(lrs(linearWarmup(4), 0.1, 6), [0, 0.025, 0.05, 0.075, 0.1, 0.1, 0.1]);
    expectLrs(lrs(linearWarmup(2, 0.5), 1, 3), [0.5, 0.75, 1, 1]);
  });
  it('sequential([linearWarmup(4), cosineAnnealingLR(6)]): warmup, then the cosine from its own step 0', () => {
    expectLrs(lrs(sequential([linearWarmup(4), cosineAnnealingLR(6)]), 0.1), [
      0, 0.025, 0.05, 0.075, 0.1, 0.0933012701892219, 0.075, 0.05, 0.025, 0.0066987298107781, 0,
    ]);
  });
  it('sequential with explicit milestones', () => {
    expectLrs(lrs(sequential([stepLR(2, 0.5), exponentialLR(0.5)], [3]), 1, 5), [1, 1, 0.5, 1, 0.5, 0.25]);
  });
  it('lambdaLR(f): base * f(t)', () => {
    expectLrs(lrs(lambdaLR((t) => 1 / (t + 1)), 1, 3), [1, 0.5, 1 / 3, 0.25]);
  });
  it('drives any optimizer (Adam here) and reports its position', () => {
    const opt = adam([randomParam([1])], { lr: 0.01 });
    const sched = lrScheduler(opt, stepLR(1, 0.5));
    sched.step();
    sched.step();
    expect(opt.lr).toBeCloseTo(0.0025, 15);
    expect(sched.stepCount).toBe(2);
    expect(sched.baseLr).toBe(0.01);
  });
});

describe('scheduler state', () => {
  it('resumes at the saved position (fresh optimizer, fresh scheduler)', () => {
    const make = () => sequential([linearWarmup(3), cosineAnnealingLR(10, 1e-4)]);
    const opt = adam([randomParam([1])], { lr: 0.01 });
    const sched = lrScheduler(opt, make());
    for (let k = 0; k < 5; k++) sched.step();
    const saved = JSON.parse(JSON.stringify(sched.stateDict()));
    const expected = [1, 2, 3].map(() => sched.step());

    const opt2 = adam([randomParam([1])], { lr: 0.5 }); // a different lr: the state restores the base
    const sched2 = lrScheduler(opt2, make());
    sched2.loadStateDict(saved);
    expect(opt2.lr).toBe(sched.schedule.lrAt(5, 0.01));
    expect([1, 2, 3].map(() => sched2.step())).toEqual(expected);
  });

  it('refuses a state of another schedule, and bad arguments', () => {
    const opt = sgd([randomParam([1])], { lr: 0.1 });
    const a = lrScheduler(opt, stepLR(2));
    expectCode(() => lrScheduler(opt, exponentialLR(0.9)).loadStateDict(a.stateDict()), 'STATE_MISMATCH');
    expectCode(() => stepLR(0), 'INVALID_ARGUMENT', /stepSize = 0/);
    expectCode(() => cosineAnnealingLR(10, -1), 'INVALID_ARGUMENT');
    expectCode(() => sequential([cosineAnnealingLR(5), stepLR(2)]), 'INVALID_ARGUMENT', /no fixed length; pass milestones/);
    expectCode(() => sequential([stepLR(2), stepLR(2)], [3, 4]), 'INVALID_ARGUMENT');
    expectCode(() => lrScheduler(opt, lambdaLR(() => -1)), 'INVALID_ARGUMENT', /gave lr -0.1/);
  });
});

describe('reduceLROnPlateau', () => {
  it('a hand trace: min mode, factor 0.5, patience 2, threshold 0.1 (rel), cooldown 1', () => {
    const opt = sgd([randomParam([1])], { lr: 1 });
    const plateau = reduceLROnPlateau(opt, { factor: 0.5, patience: 2, threshold: 0.1, cooldown: 1 });
    const metrics = [10, 9.5, 9.2, 9.1, 8, 8, 8, 8, 8, 8];
    // 10 best; 9.5, 9.2, 9.1 not below 9 -> 3 bad > 2: lr 0.5 (cooldown 1); 8 best (cooldown ends);
    // 8, 8, 8 not below 7.2 -> lr 0.25 at the 8th; then cooldown, then 1 bad.
    expect(metrics.map((m) => plateau.step(m))).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]);
    expect(plateau.best).toBe(8);
    expect(plateau.numBadEpochs).toBe(1);
  });

  it('max mode with an absolute threshold, and minLr', () => {
    const opt = sgd([randomParam([1])], { lr: 1 });
    const plateau = reduceLROnPlateau(opt, { mode: 'max', thresholdMode: 'abs', threshold: 0.05, patience: 0, factor: 0.1, minLr: 0.05 });
    // 0.5 best; 0.54 < 0.55 -> bad (lr 0.1); 0.7 better; 0.7 bad -> max(0.01, 0.05) = 0.05; then no change (0.05 - 0.05 < eps)
    expect([0.5, 0.54, 0.7, 0.7, 0.6].map((m) => plateau.step(m))).toEqual([1, 0.1, 0.1, 0.05, 0.05]);
  });

  it('state round-trips through JSON (best may be Infinity before any metric)', () => {
    const opt = sgd([randomParam([1])], { lr: 1 });
    const fresh = reduceLROnPlateau(opt);
    expect(JSON.parse(JSON.stringify(fresh.stateDict())).best).toBeNull();
    const a = reduceLROnPlateau(opt, { patience: 1 });
    [3, 2, 2].forEach((m) => a.step(m));
    const opt2 = sgd([randomParam([1])], { lr: opt.lr });
    const b = reduceLROnPlateau(opt2, { patience: 1 });
    b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())));
    expect(b.best).toBe(2);
    expect(b.numBadEpochs).toBe(1);
    expect(b.step(2)).toBe(0.1); // the second bad step in a row: reduced
    expect(a.step(2)).toBe(0.1);
    expectCode(() => reduceLROnPlateau(opt, { factor: 1 }), 'INVALID_ARGUMENT', /factor 1/);
  });
});
