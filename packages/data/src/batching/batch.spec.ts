import { map } from 'rxjs';
import { batch } from './batch';
import type { Batch } from './collate';
import type { Sample } from '../sequences/samples';
import { errorCode, marbles } from '../testing/marbles';

const tok = (...ids: number[]): Sample => ({ kind: 'tokens', input: ids, target: ids.map((i) => i + 1) });
const plain = (b: Batch) => ({ inputs: Array.from(b.inputs.data), shape: b.inputs.shape, mask: Array.from(b.mask.data), lengths: b.lengths });

describe('batch', () => {
  it('groups samples in order and emits the last partial batch at completion', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('abc|', { a: tok(1, 2), b: tok(3), c: tok(4) });
      expectObservable(src.pipe(batch({ batchSize: 2 }), map(plain))).toBe('-x-(y|)', {
        x: { inputs: [1, 3, 2, 0], shape: [2, 2], mask: [1, 1, 1, 0], lengths: [2, 1] },
        y: { inputs: [4], shape: [1, 1], mask: [1], lengths: [1] },
      });
    });
  });

  it('drops the remainder on request', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('abc|', { a: tok(1), b: tok(2), c: tok(3) }).pipe(batch({ batchSize: 2, dropRemainder: true }), map((b) => b.size))).toBe('-x-|', { x: 2 });
    });
  });

  it('errors with DATA_SHAPE when a batch mixes kinds, and passes source errors through', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('ab|', { a: tok(1), b: { kind: 'labelled', input: [1], label: 0 } as Sample });
      expectObservable(src.pipe(batch({ batchSize: 2 }), errorCode())).toBe('-#', undefined, 'DATA_SHAPE');
      expectObservable(cold('a#', { a: tok(1) }, 'io').pipe(batch({ batchSize: 2 }))).toBe('-#', undefined, 'io');
    });
  });
});
