import { Observable, OperatorFunction } from 'rxjs';
import { DataError, excerpt, requireInteger } from '../errors';
import type { LabelledSample } from './samples';

/** Options of {@link sequenceToLabel}. */
export interface SequenceToLabelOptions<T> {
  /** The token ids of an item. */
  readonly sequence: (item: T) => readonly number[];
  /** The class index of an item (an integer >= 0). */
  readonly label: (item: T) => number;
  /** Longest sequence kept (default: no limit). */
  readonly maxLength?: number;
  /** Which tokens a too-long sequence keeps: 'start' (default, the first maxLength) or 'end' (the last). */
  readonly keep?: 'start' | 'end';
}

/**
 * Sequence classification samples: each item becomes `{ input: ids, label }`, truncated to
 * `maxLength`. Empty sequences are skipped (a batch cannot hold a length-0 sequence). A label
 * that is not an integer >= 0 is a `DATA_BAD_VALUE` error.
 *
 * @example
 * messages$.pipe(sequenceToLabel({ sequence: (m) => vocab.encode(tok.tokenize(m.body)), label: (m) => m.spam ? 1 : 0, maxLength: 400 }))
 */
export function sequenceToLabel<T>(options: SequenceToLabelOptions<T>): OperatorFunction<T, LabelledSample> {
  const maxLength = options.maxLength ?? Infinity;
  if (maxLength !== Infinity) requireInteger('sequenceToLabel', 'maxLength', maxLength, 1);
  return (source) =>
    new Observable<LabelledSample>((subscriber) => {
      let index = 0;
      return source.subscribe({
        next(item) {
          let sample: LabelledSample | undefined;
          try {
            const ids = options.sequence(item);
            const label = options.label(item);
            if (!Number.isInteger(label) || label < 0) {
              throw new DataError('DATA_BAD_VALUE', `sequenceToLabel: item ${index} has label ${excerpt(label)}; expected an integer class index >= 0`, {
                expected: 'integer >= 0',
                received: String(label),
              });
            }
            if (ids.length > 0) {
              const kept = ids.length <= maxLength ? ids.slice() : options.keep === 'end' ? ids.slice(ids.length - maxLength) : ids.slice(0, maxLength);
              sample = { kind: 'labelled', input: kept, label };
            }
          } catch (err) {
            subscriber.error(err);
            return;
          }
          index += 1;
          if (sample) subscriber.next(sample);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
