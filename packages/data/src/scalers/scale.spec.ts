import { scale } from './scale';
import { Scaler } from './scaler';
import { errorCode, marbles } from '../testing/marbles';

describe('scale', () => {
  const s = Scaler.fit('minmax', [[0], [10]]);

  it('applies the training-fitted scaler to every row', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('ab|', { a: [5], b: [20] }).pipe(scale(s))).toBe('ab|', { a: [0.5], b: [2] });
    });
  });

  it('errors with DATA_SHAPE on a row of the wrong width', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: [1, 2] }).pipe(scale(s), errorCode())).toBe('#', undefined, 'DATA_SHAPE');
    });
  });
});
