import { LoopflowError, Tensor } from '@loopflow/tensor';
import { causalMask, paddingMask } from './masks';

describe('causalMask', () => {
  it('is 1 on and below the diagonal, 0 above', () => {
    expect(causalMask(3).toArray()).toEqual([
      [1, 0, 0],
      [1, 1, 0],
      [1, 1, 1],
    ]);
    expect(causalMask(2, { dtype: 'float64' }).dtype).toBe('float64');
  });

  it('rejects a length that is not a positive integer', () => {
    expect(() => causalMask(0)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('paddingMask', () => {
  it('marks the first lengths[b] positions of each row', () => {
    const m = paddingMask([3, 1, 0], 4);
    expect(m.shape).toEqual([3, 4]);
    expect(m.toArray()).toEqual([
      [1, 1, 1, 0],
      [1, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });

  it('rejects lengths longer than the padded length or not whole', () => {
    const err = (() => {
      try {
        paddingMask([5], 4);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(LoopflowError);
    expect((err as LoopflowError).code).toBe('INVALID_ARGUMENT');
    expect((err as Error).message).toMatch(/lengths\[0\] = 5/);
    expect(() => paddingMask([1.5], 4)).toThrow(LoopflowError);
  });

  it('returns a Tensor usable as a keyMask', () => {
    expect(paddingMask([2], 2)).toBeInstanceOf(Tensor);
  });
});
