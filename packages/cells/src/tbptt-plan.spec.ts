import { tbpttSegments, tbpttWindows } from './index';

describe('tbpttWindows / tbpttSegments (the one TBPTT planner)', () => {
  it('k2 = k1: consecutive chunks, the last one shorter, one segment each', () => {
    const windows = tbpttWindows(10, 4);
    expect(windows).toEqual([
      { index: 0, start: 0, lossStart: 0, end: 4, carryAt: 4 },
      { index: 1, start: 4, lossStart: 4, end: 8, carryAt: 8 },
      { index: 2, start: 8, lossStart: 8, end: 10, carryAt: null },
    ]);
    expect(windows.map(tbpttSegments)).toEqual([[{ start: 0, end: 4, inLoss: true }], [{ start: 4, end: 8, inLoss: true }], [{ start: 8, end: 10, inLoss: true }]]);
  });

  it('k2 > k1: the forward from k2 steps back, cut where the loss starts and where the next state is taken', () => {
    // worked by hand: T = 8, k1 = 2, k2 = 3: loss chunks [0,2) [2,4) [4,6) [6,8), each forward 1 step earlier
    expect(tbpttWindows(8, 2, 3).map((w) => [w.start, w.lossStart, w.end, w.carryAt])).toEqual([[0, 0, 2, 1], [1, 2, 4, 3], [3, 4, 6, 5], [5, 6, 8, null]]);
    expect(tbpttSegments({ index: 1, start: 1, lossStart: 2, end: 4, carryAt: 3 })).toEqual([
      { start: 1, end: 2, inLoss: false },
      { start: 2, end: 3, inLoss: true },
      { start: 3, end: 4, inLoss: true },
    ]);
  });

  it('k1 >= T is full BPTT: one window', () => {
    expect(tbpttWindows(3, 5)).toEqual([{ index: 0, start: 0, lossStart: 0, end: 3, carryAt: null }]);
  });

  it('refuses arguments that make no plan', () => {
    expect(() => tbpttWindows(0, 2)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => tbpttWindows(8, 0)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => tbpttWindows(8, 3, 2)).toThrow(/stepsBackward >= stepsPerUpdate/);
  });
});
