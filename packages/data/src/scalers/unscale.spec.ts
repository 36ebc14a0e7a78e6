import { unscale } from './unscale';
import { Scaler } from './scaler';
import { errorCode, marbles } from '../testing/marbles';

describe('unscale', () => {
  const s = Scaler.fit('minmax', [[300], [400]]);

  it('maps scaled rows back to the original units', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('ab|', { a: [0.5], b: [1.5] }).pipe(unscale(s))).toBe('ab|', { a: [350], b: [450] });
    });
  });

  it('errors with DATA_SHAPE on a row of the wrong width', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: [] }).pipe(unscale(s), errorCode())).toBe('#', undefined, 'DATA_SHAPE');
    });
  });
});
