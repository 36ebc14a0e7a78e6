import { Random, Tensor } from '@loopflow/tensor';
import { ADDING_BASELINE_MSE, addingBatch, addingExample, addingSequence, addingTask } from './adding';

describe('adding problem', () => {
  it('builds a hand-checked sequence: target is the sum of the two marked values', () => {
    const { inputs, target } = addingSequence([0.2, 0.5, 0.9, 0.1], [1, 2]);
    expect(inputs).toEqual([[0.2, 0], [0.5, 1], [0.9, 1], [0.1, 0]]);
    expect(target).toBeCloseTo(1.4, 12);
  });

  it('refuses markers outside the sequence or on the same step', () => {
    expect(() => addingSequence([0.1, 0.2], [0, 0])).toThrow(/two different steps/);
    expect(() => addingSequence([0.1, 0.2], [0, 2])).toThrow(/two different steps/);
  });

  it('puts one marker in each half and draws values in [0, 1)', () => {
    const rng = new Random(3);
    for (let i = 0; i < 200; i++) {
      const ex = addingExample(rng, 7); // halves [0, 3) and [3, 7)
      expect(ex.markers[0]).toBeGreaterThanOrEqual(0);
      expect(ex.markers[0]).toBeLessThan(3);
      expect(ex.markers[1]).toBeGreaterThanOrEqual(3);
      expect(ex.markers[1]).toBeLessThan(7);
      for (const v of ex.values) expect(v >= 0 && v < 1).toBe(true);
      expect(ex.target).toBe(ex.values[ex.markers[0]] + ex.values[ex.markers[1]]);
    }
  });

  it('lays a batch out time-major with exactly two markers per sequence and matching targets', () => {
    const T = 6;
    const B = 5;
    const { inputs, targets } = addingBatch(new Random(1), T, B);
    expect(inputs.shape).toEqual([T, B, 2]);
    expect(targets.shape).toEqual([B, 1]);
    for (let b = 0; b < B; b++) {
      let markers = 0;
      let sum = 0;
      for (let t = 0; t < T; t++) {
        const value = inputs.data[(t * B + b) * 2];
        const marker = inputs.data[(t * B + b) * 2 + 1];
        if (marker === 1) {
          markers++;
          sum += value;
        } else expect(marker).toBe(0);
      }
      expect(markers).toBe(2);
      expect(targets.data[b]).toBeCloseTo(sum, 6);
    }
  });

  it('gives the 0.167 baseline for always answering 1, and 0 for the exact answer', () => {
    const task = addingTask(20, { validationSize: 10, testSize: 4000 });
    let sum = 0;
    let count = 0;
    let exact = 0;
    for (const batch of task.test) {
      const B = batch.targets.shape[0];
      const ones = new Tensor(new Float32Array(B).fill(1), [1, B, 1]); // [T - readFrom, B, 1]
      const ev = task.evaluate(ones, batch);
      sum += ev.metricSum;
      count += ev.count;
      exact += task.evaluate(new Tensor(Float32Array.from(batch.targets.data), [1, B, 1]), batch).metricSum;
    }
    expect(ADDING_BASELINE_MSE).toBeCloseTo(1 / 6, 12);
    expect(sum / count).toBeGreaterThan(0.155);
    expect(sum / count).toBeLessThan(0.178);
    expect(exact).toBe(0);
    expect(task.readFrom(20)).toBe(19);
  });

  it('draws the same validation and test sets every time (independent of model seeds)', () => {
    const a = addingTask(12, { validationSize: 30, testSize: 30 });
    const b = addingTask(12, { validationSize: 30, testSize: 30 });
    expect(Array.from(a.test[0].inputs.data)).toEqual(Array.from(b.test[0].inputs.data));
    expect(Array.from(a.validation[0].inputs.data)).not.toEqual(Array.from(a.test[0].inputs.data));
  });

  it('cuts a fixed set into batches of 50 without changing its sequences (one draw of them all, in order)', () => {
    const task = addingTask(12, { validationSize: 120, testSize: 30 });
    expect(task.validation.map((b) => b.inputs.shape[1])).toEqual([50, 50, 20]);
    const whole = addingBatch(new Random('adding/12/validation'), 12, 120); // [12, 120, 2], [120, 1]
    let first = 0;
    for (const batch of task.validation) {
      const n = batch.inputs.shape[1];
      for (let t = 0; t < 12; t++) {
        const expected = whole.inputs.data.subarray((t * 120 + first) * 2, (t * 120 + first + n) * 2);
        expect(Array.from(batch.inputs.data.subarray(t * n * 2, (t + 1) * n * 2))).toEqual(Array.from(expected));
      }
      expect(Array.from(batch.targets.data)).toEqual(Array.from(whole.targets.data.subarray(first, first + n)));
      first += n;
    }
  });
});
