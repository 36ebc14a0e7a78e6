import { tensor } from '@loopflow/tensor';
import { collate } from './collate';
import type { Sample } from '../sequences/samples';

describe('collate', () => {
  it('pads token samples at the end, time-major [T, B], with a mask and lengths (hand-worked)', () => {
    const b = collate([
      { kind: 'tokens', input: [5, 6, 7], target: [6, 7, 8] },
      { kind: 'tokens', input: [9], target: [10] },
    ]);
    expect(b.inputs.shape).toEqual([3, 2]);
    expect(Array.from(b.inputs.data)).toEqual(Array.from(tensor([[5, 9], [6, 0], [7, 0]]).data));
    expect(Array.from(b.targets.data)).toEqual([6, 10, 7, 0, 8, 0]);
    expect(Array.from(b.mask.data)).toEqual([1, 1, 1, 0, 1, 0]);
    expect(b.mask.shape).toEqual([3, 2]);
    expect(b.lengths).toEqual([3, 1]);
    expect(b.size).toBe(2);
    expect(b.inputs.dtype).toBe('float32');
  });

  it('gives class targets [B] for labelled samples, with a custom pad id and float64', () => {
    const b = collate([{ kind: 'labelled', input: [4], label: 1 }, { kind: 'labelled', input: [5, 6], label: 0 }], { padId: 9, dtype: 'float64' });
    expect(Array.from(b.inputs.data)).toEqual([4, 5, 9, 6]);
    expect(b.targets.shape).toEqual([2]);
    expect(Array.from(b.targets.data)).toEqual([1, 0]);
    expect(b.inputs.dtype).toBe('float64');
  });

  it('stacks series windows into [T, B, F] inputs and [H, B, Ft] targets', () => {
    const s = (k: number): Sample => ({ kind: 'series', input: [[k, 10 * k], [k + 1, 10 * k + 10]], target: [[100 * k], [100 * k + 1], [100 * k + 2]], index: k });
    const b = collate([s(1), s(2)]);
    expect(b.inputs.shape).toEqual([2, 2, 2]);
    // element [t, b, f] at (t * B + b) * F + f, compared with a nested construction
    const nested = [0, 1].map((t) => [1, 2].map((k) => [k + t, 10 * k + 10 * t]));
    expect(Array.from(b.inputs.data)).toEqual(Array.from(tensor(nested).data));
    expect(b.targets.shape).toEqual([3, 2, 1]);
    expect(Array.from(b.targets.data)).toEqual([100, 200, 101, 201, 102, 202]);
    expect(Array.from(b.mask.data)).toEqual([1, 1, 1, 1]);
  });

  it('rejects mixed kinds, empty inputs, mismatched features and no samples with DATA_SHAPE', () => {
    const shape = expect.objectContaining({ code: 'DATA_SHAPE' });
    expect(() => collate([{ kind: 'tokens', input: [1], target: [2] }, { kind: 'labelled', input: [1], label: 0 }])).toThrow(shape);
    expect(() => collate([{ kind: 'labelled', input: [], label: 0 }])).toThrow(shape);
    expect(() => collate([])).toThrow(shape);
    expect(() =>
      collate([
        { kind: 'series', input: [[1, 2]], target: [[1]], index: 0 },
        { kind: 'series', input: [[1]], target: [[1]], index: 1 },
      ]),
    ).toThrow(/sample 1, step 0 has 1 features but sample 0 has 2/);
  });

  it('collates 300k samples in one batch (no Math.max spread over the lengths: issue 16)', () => {
    const samples: Sample[] = Array.from({ length: 300_000 }, (_, i) => ({ kind: 'tokens', input: i === 7 ? [1, 2] : [1], target: i === 7 ? [2, 3] : [2] }));
    const b = collate(samples);
    expect(b.inputs.shape).toEqual([2, 300_000]);
    expect(b.lengths[7]).toBe(2);
  });
});
