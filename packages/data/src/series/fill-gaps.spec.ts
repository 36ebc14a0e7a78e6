import { fillGaps } from './fill-gaps';
import { errorCode, marbles } from '../testing/marbles';

describe('fillGaps', () => {
  it('interpolates missing steps linearly and marks them', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('a-b-----|', { a: { step: 10, values: [1, 100] }, b: { step: 13, values: [4, 70] } });
      expectObservable(src.pipe(fillGaps())).toBe('a-(xyb)-|', {
        a: { step: 10, values: [1, 100], interpolated: false },
        x: { step: 11, values: [2, 90], interpolated: true },
        y: { step: 12, values: [3, 80], interpolated: true },
        b: { step: 13, values: [4, 70], interpolated: false },
      });
    });
  });

  it('errors on a step that does not increase', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('ab|', { a: { step: 2, values: [1] }, b: { step: 2, values: [1] } });
      expectObservable(src.pipe(fillGaps(), errorCode())).toBe('a#', { a: { step: 2, values: [1], interpolated: false } }, 'DATA_BAD_VALUE');
    });
  });
});
