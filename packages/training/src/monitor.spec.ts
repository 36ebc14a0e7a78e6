/** The early-stopping rule (Keras' EarlyStopping), worked by hand. */
import { Monitor } from './monitor';

function run(monitor: Monitor, values: number[]): string {
  return values.map((v, i) => {
    const { improved, stop } = monitor.update(i + 1, v);
    return `${improved ? 'I' : '.'}${stop ? 'S' : ''}`;
  }).join(' ');
}

describe('Monitor', () => {
  it('min mode: the first value is the best; stop after `patience` epochs in a row without improvement', () => {
    const m = new Monitor({ monitor: 'loss', mode: 'min', minDelta: 0, patience: 2 });
    expect(run(m, [1.0, 0.8, 0.9, 0.7, 0.75, 0.7])).toBe('I I . I . .S');
    expect(m.state()).toEqual({ monitor: 'loss', mode: 'min', best: 0.7, bestEpoch: 4, wait: 2, stopped: true });
  });

  it('minDelta: only a change larger than minDelta improves; an equal value does not', () => {
    const m = new Monitor({ monitor: 'loss', mode: 'min', minDelta: 0.1, patience: 3 });
    expect(run(m, [1.0, 0.95, 0.91, 0.9, 0.6])).toBe('I . . .S I'); // 0.9 is not below 1.0 - 0.1
  });

  it('max mode, NaN never improves, patience 0 stops at the first miss', () => {
    const m = new Monitor({ monitor: 'acc', mode: 'max', minDelta: 0, patience: 0 });
    expect(run(m, [0.5, 0.6])).toBe('IS IS'); // patience 0: even an improving epoch has waited 0 >= 0
    const n = new Monitor({ monitor: 'acc', mode: 'max', minDelta: 0, patience: 1 });
    expect(run(n, [NaN, 0.5, NaN])).toBe('.S I .S');
  });

  it('saves and restores its position; refuses another metric', () => {
    const m = new Monitor({ monitor: 'loss', mode: 'min', minDelta: 0, patience: 3 });
    run(m, [1, 2]);
    const copy = new Monitor({ monitor: 'loss', mode: 'min', minDelta: 0, patience: 3 });
    copy.load(JSON.parse(JSON.stringify(m.state())), 'test');
    expect(copy.update(3, 3)).toEqual({ improved: false, stop: false });
    expect(copy.update(4, 3)).toEqual({ improved: false, stop: true });
    const other = new Monitor({ monitor: 'acc', mode: 'max', minDelta: 0, patience: 3 });
    expect(() => other.load(m.state(), 'test')).toThrow(expect.objectContaining({ code: 'CHECKPOINT_MISMATCH' }));
    expect(() => new Monitor({ monitor: 'loss', mode: 'min', minDelta: -1, patience: 1 })).toThrow(/minDelta = -1/);
  });
});
