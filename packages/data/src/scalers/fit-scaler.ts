import { Observable, OperatorFunction } from 'rxjs';
import { Scaler, ScalerFitter, ScalerKind } from './scaler';

/**
 * Fits a {@link Scaler} on a stream of rows in one pass (memory of one row) and emits it when
 * the stream completes. Feed it the training split only.
 *
 * @example
 * from(split.train).pipe(fitScaler('standard')) // emits one Scaler
 */
export function fitScaler(kind: ScalerKind, options: { range?: readonly [number, number] } = {}): OperatorFunction<readonly number[], Scaler> {
  return (source) =>
    new Observable<Scaler>((subscriber) => {
      let fitter: ScalerFitter;
      try {
        fitter = new ScalerFitter(kind, options.range);
      } catch (err) {
        subscriber.error(err);
        return;
      }
      return source.subscribe({
        next(row) {
          try {
            fitter.add(row);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err) => subscriber.error(err),
        complete() {
          let scaler: Scaler;
          try {
            scaler = fitter.finish();
          } catch (err) {
            subscriber.error(err);
            return;
          }
          subscriber.next(scaler);
          subscriber.complete();
        },
      });
    });
}
