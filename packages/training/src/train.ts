import { Observable } from 'rxjs';
import { TrainingRun } from './training-run';
import type { TrainEvent, TrainOptions } from './types';

/**
 * Trains a model: a cold Observable of {@link TrainEvent}s. Subscribing starts the run;
 * unsubscribing stops it cleanly between two steps (the weights stay as they are after the
 * last completed step). Errors (a non-finite loss, a bad checkpoint, invalid options) arrive
 * as `subscriber.error` with a {@link TrainError}.
 *
 * Each epoch: the batches of `trainBatches({ epoch, rng })` are trained in order (full BPTT,
 * or truncated with `bptt`: the trainer cuts each batch's time axis and carries the state
 * detached from chunk to chunk), then `validBatches` are evaluated without gradients, the
 * schedule and early stopping take the epoch's metric, and a checkpoint is written.
 *
 * Events: `resume` (a resumed run), `step` after every optimizer step, `epoch`, `checkpoint`,
 * `early-stop`, and `done` last.
 *
 * @example
 * const model = { lstm: createLSTM(rng, { inputSize: V, hiddenSize: 64 }), head: createLinear(rng, 64, V) };
 * const events = train({
 *   model,
 *   forward: (m, b, state, ctx) => {
 *     const { output, state: next } = runRecurrent(m.lstm, b.inputs, { initialState: state });  // [T, B, V] -> [T, B, 64]
 *     return { loss: crossEntropy(linear(m.head, output), b.targets), state: next };           // logits [T, B, V]
 *   },
 *   optimizer: (params) => adam(params, { lr: 2e-3 }),
 *   clipGradNorm: 1,
 *   bptt: { stepsPerUpdate: 35, slicer: timeMajorSlicer(['inputs', 'targets']) },
 *   resetState: 'epoch',
 *   trainBatches: ({ rng }) => trainSet, validBatches: () => validSet,
 *   epochs: 20, seed: 1,
 *   earlyStopping: { patience: 3, restoreBest: true },
 *   checkpoint: { dir: 'runs/charlm/checkpoints' },
 * });
 * const last = await lastValueFrom(events.pipe(tap((e) => e.type === 'epoch' && console.log(e))));
 */
export function train<M extends object, B, S = unknown>(options: TrainOptions<M, B, S>): Observable<TrainEvent> {
  return new Observable<TrainEvent>((subscriber) => {
    let closed = false;
    const isClosed = (): boolean => closed || subscriber.closed;
    const run = new TrainingRun<M, B, S>(options, (event) => subscriber.next(event), isClosed);
    run.run().then(
      () => subscriber.complete(),
      (error: unknown) => subscriber.error(error),
    );
    return () => {
      closed = true;
    };
  });
}
