import { Random, Tensor } from '@loopflow/tensor';
import { copyBatch, copyLength, copySequence, copyTask } from './copy';

describe('delayed recall (copy)', () => {
  it('builds a hand-checked sequence: symbols, blanks, cue, recall steps', () => {
    const ex = copySequence([3, 1], 2, 8);
    expect(ex.input).toEqual([3, 1, 0, 0, 9, 0, 0]);
    expect(ex.recall).toEqual([2, 0]);
    expect(copyLength({ symbols: 2, alphabet: 8 }, 2)).toBe(7);
  });

  it('refuses symbols outside the alphabet and negative delays', () => {
    expect(() => copySequence([0], 1, 4)).toThrow(/1\.\.4/);
    expect(() => copySequence([5], 1, 4)).toThrow(/1\.\.4/);
    expect(() => copySequence([1], -1, 4)).toThrow(/delay/);
  });

  it('one-hot batch: the targets are the shown symbols, recalled after the cue', () => {
    const shape = { symbols: 3, alphabet: 4 };
    const delay = 5;
    const B = 6;
    const { inputs, targets } = copyBatch(new Random(2), shape, delay, B);
    const T = copyLength(shape, delay);
    const V = shape.alphabet + 2;
    expect(inputs.shape).toEqual([T, B, V]);
    expect(targets.shape).toEqual([3, B]);
    const idAt = (t: number, b: number): number => {
      const row = Array.from(inputs.data.slice((t * B + b) * V, (t * B + b + 1) * V));
      expect(row.reduce((s, v) => s + v, 0)).toBe(1);
      return row.indexOf(1);
    };
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < 3; k++) expect(targets.data[k * B + b]).toBe(idAt(k, b) - 1);
      for (let t = 3; t < 3 + delay; t++) expect(idAt(t, b)).toBe(0);
      expect(idAt(3 + delay, b)).toBe(shape.alphabet + 1);
      for (let t = 4 + delay; t < T; t++) expect(idAt(t, b)).toBe(0);
    }
  });

  it('scores recall accuracy on the last K steps', () => {
    const task = copyTask(4, { symbols: 2, alphabet: 4 }, { validationSize: 8, testSize: 8 });
    const batch = task.test[0];
    const B = batch.targets.shape[1];
    expect(task.readFrom(batch.inputs.shape[0])).toBe(batch.inputs.shape[0] - 2);
    const logits = new Float32Array(2 * B * 4);
    for (let i = 0; i < 2 * B; i++) logits[i * 4 + batch.targets.data[i]] = 5; // right answer everywhere
    expect(task.evaluate(new Tensor(logits, [2, B, 4]), batch).metricSum).toBe(2 * B);
    expect(task.metric.baselines[0].value).toBe(0.25);
  });
});
