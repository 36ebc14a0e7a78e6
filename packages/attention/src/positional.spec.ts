import { Random, gradCheck } from '@loopflow/tensor';
import { namedParameters } from '@loopflow/layers';
import { addPositions, createLearnedPositions, createSinusoidalPositions, positionTable, sinusoidalEncoding } from './positional';
import { gradCheckModel, randn } from './test-helpers';

describe('sinusoidalEncoding', () => {
  it('follows the Vaswani formula', () => {
    const d = 6;
    const pe = sinusoidalEncoding(5, d, { dtype: 'float64' });
    expect(pe.shape).toEqual([5, d]);
    // position 0: sin 0 = 0, cos 0 = 1
    expect(Array.from(pe.data.slice(0, d))).toEqual([0, 1, 0, 1, 0, 1]);
    // position 3, pair i = 1: angle 3 / 10000^(2/6)
    const angle = 3 / Math.pow(10000, 2 / 6);
    expect(pe.get(3, 2)).toBeCloseTo(Math.sin(angle), 14);
    expect(pe.get(3, 3)).toBeCloseTo(Math.cos(angle), 14);
    expect(pe.get(4, 0)).toBeCloseTo(Math.sin(4), 14);
    expect(pe.get(4, 1)).toBeCloseTo(Math.cos(4), 14);
  });

  it('ends an odd width with a sine column', () => {
    const pe = sinusoidalEncoding(3, 5, { dtype: 'float64' });
    expect(pe.get(2, 4)).toBeCloseTo(Math.sin(2 / Math.pow(10000, 4 / 5)), 14);
  });

  it('has no parameters and adds the same table to every sequence of the batch', () => {
    const pos = createSinusoidalPositions(5);
    expect(namedParameters(pos)).toEqual([]);
    const x = randn(new Random(1), [2, 3, 5]);
    const y = addPositions(pos, x);
    const table = sinusoidalEncoding(3, 5, { dtype: 'float64' });
    for (let b = 0; b < 2; b++) for (let i = 0; i < 15; i++) expect(y.data[b * 15 + i]).toBeCloseTo(x.data[b * 15 + i] + table.data[i], 14);
    expect(gradCheck((a) => addPositions(pos, a), [x]).ok).toBe(true);
  });
});

describe('learned positions', () => {
  it('is an embedding of positions: rows 0..T-1 of its table, trainable', () => {
    const pos = createLearnedPositions(new Random(2), 7, 3, { dtype: 'float64' });
    expect(namedParameters(pos).map(([n, t]) => [n, t.shape])).toEqual([['embedding.weight', [7, 3]]]);
    const t = positionTable(pos, 4, 'float64');
    expect(Array.from(t.data)).toEqual(Array.from(pos.embedding.weight.data.slice(0, 12)));
  });

  it('passes gradCheck (float64) in the input and the table', () => {
    const pos = createLearnedPositions(new Random(3), 6, 3, { dtype: 'float64' });
    const x = randn(new Random(4), [2, 5, 3]);
    expect(gradCheckModel(pos, [x], (p, a) => addPositions(p, a)).ok).toBe(true);
  });

  it('throws SEQUENCE_TOO_LONG past maxLength', () => {
    const pos = createLearnedPositions(new Random(3), 4, 2);
    expect(() => positionTable(pos, 5)).toThrow(expect.objectContaining({ code: 'SEQUENCE_TOO_LONG' }));
  });
});
