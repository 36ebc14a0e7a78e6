import { estimateJobMs, JobTiming, scheduleMs } from './job-timing';

describe('suite time estimates', () => {
  it('lays jobs in order on the lane that frees first, as the pool does', () => {
    expect(scheduleMs([5, 3, 3], 2)).toBe(6); // 5 | 3 + 3
    expect(scheduleMs([3, 3, 5], 2)).toBe(8); // 3 + 5 | 3
    expect(scheduleMs([4, 4, 4, 4], 1)).toBe(16);
    expect(scheduleMs([], 2)).toBe(0);
  });

  it('scales a sampled job to its step count: set-up, steps, a validation every evalEvery steps, the test', () => {
    const timing: JobTiming = {
      id: 'adding/T=50/lstm/seed=0', model: 'lstm', maxSteps: 2000, evalEvery: 50, sampledSteps: 20,
      msPerStep: 10, cpuMs: 0, wallMs: 0, validationMs: 30, testMs: 70, setupMs: 5,
    };
    expect(estimateJobMs(timing, 2000)).toBe(5 + 2000 * 10 + 40 * 30 + 70);
    expect(estimateJobMs(timing, 120)).toBe(5 + 1200 + 3 * 30 + 70);
  });
});
