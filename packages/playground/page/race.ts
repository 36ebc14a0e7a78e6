/**
 * The race: an RNN, an LSTM, a GRU and a transformer trained side by side on the same short
 * character-level task (first names), at equal parameter budgets. Each entrant's width is the
 * one whose parameter count is closest to the budget, counted on the built model (as the
 * benchmark's `widthForBudget` does; the transformer's dModel walks the multiples of its heads
 * like attention's `configForBudget`). The four trainings run concurrently in this worker: the
 * training loop yields between steps, so they take turns step by step and their curves grow
 * together.
 */
import { EMPTY, merge, Observable, of, Subscription, tap, last as lastOf, map } from 'rxjs';
import { Random } from '@loopflow/tensor';
import { countParameters } from '@loopflow/attention';
import { buildModel } from '@loopflow/pipeline/browser';
import type { ModelDescription, PipelineEvent, PreparedData, StageContext, StageRegistry, TrainedBundle } from '@loopflow/pipeline/browser';
import type { Entrant, FromWorker, ToWorker } from './protocol';
import { errorMessage } from './errors';

/** The race's data: the names char-LM of examples/names-lstm on `names` names, in batches of 32. */
export function raceDataStages(names: number): Record<string, unknown>[] {
  return [
    { stage: 'first-names', limit: names },
    { stage: 'tokenize', tokenizer: 'char' },
    { stage: 'random-split', validation: 0.1, test: 0.1 },
    { stage: 'vocabulary' },
    { stage: 'next-token' },
    { stage: 'batch', batchSize: 32, bucketBoundaries: [5, 7, 9] },
  ];
}

/** The four model stages at width `w`. */
const KINDS: { name: string; kind: string; stage: (w: number) => Record<string, unknown>; step: number }[] = [
  { name: 'RNN', kind: 'recurrent', stage: (w) => ({ stage: 'recurrent', cell: 'rnn', hiddenSize: w, embeddingSize: 16 }), step: 1 },
  { name: 'LSTM', kind: 'recurrent', stage: (w) => ({ stage: 'recurrent', cell: 'lstm', hiddenSize: w, embeddingSize: 16 }), step: 1 },
  { name: 'GRU', kind: 'recurrent', stage: (w) => ({ stage: 'recurrent', cell: 'gru', hiddenSize: w, embeddingSize: 16 }), step: 1 },
  { name: 'Transformer', kind: 'attention', stage: (w) => ({ stage: 'attention', dModel: w, heads: 2, layers: 1, maxLength: 64 }), step: 2 },
];

function context(seed: number, index: number, artifacts: StageContext['artifacts'], emit: (e: PipelineEvent) => void): StageContext {
  return { baseDir: '/', runDir: null, seed, name: 'race', path: `/stages/${index}`, task: 'language-model', artifacts, emit };
}

/** The parameters of the model a model stage builds on `data`, counted on the built model. */
function parametersOf(data: PreparedData, kind: string, stage: Record<string, unknown>): number {
  const { stage: _name, ...options } = stage;
  const description: ModelDescription = { kind, task: data.task, options, input: data.input, outputSize: data.outputSize };
  return countParameters(buildModel(description, new Random(0)).modules);
}

/** The width (a multiple of `step`) whose model's parameter count is closest to `budget`: the count grows with the width, so a bisection finds where it passes the budget. */
export function widthForBudget(count: (width: number) => number, budget: number, step: number): { width: number; parameters: number } {
  let lo = 1;
  let hi = 1;
  while (count(hi * step) < budget && hi < 4096) hi *= 2;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (count(mid * step) < budget) lo = mid + 1;
    else hi = mid;
  }
  const candidates = [hi - 1, hi].filter((m) => m >= 1).map((m) => ({ width: m * step, parameters: count(m * step) }));
  return candidates.reduce((a, b) => (Math.abs(b.parameters - budget) < Math.abs(a.parameters - budget) ? b : a));
}

/** The entrants at `budget` parameters on `data`. */
export function raceEntrants(data: PreparedData, budget: number): (Entrant & { kind: string })[] {
  return KINDS.map((k) => {
    const { width, parameters } = widthForBudget((w) => parametersOf(data, k.kind, k.stage(w)), budget, k.step);
    return { name: k.name, kind: k.kind, stage: k.stage(width), parameters };
  });
}

/** Runs the race; returns the subscription (unsubscribe to stop). */
export function runRace(registry: StageRegistry, message: Extract<ToWorker, { type: 'race' }>, post: (m: FromWorker) => void, onStart: (s: Subscription) => void): Subscription {
  const seed = 7;
  const artifacts: StageContext['artifacts'] = {};
  const stages = raceDataStages(message.names);
  let data$: Observable<unknown> = EMPTY;
  stages.forEach((entry, i) => {
    const { stage, ...options } = entry;
    data$ = registry.get(String(stage))!.create(options, context(seed, i, artifacts, () => undefined))(data$);
  });
  const train = { epochs: message.epochs, optimizer: { kind: 'adam', lr: 0.01 }, clipGradNorm: 1 };
  return data$.pipe(lastOf()).subscribe({
    next: (value) => {
      const data = value as PreparedData;
      const entrants = raceEntrants(data, message.budget);
      const steps = message.epochs * data.batchCount('train');
      post({ type: 'race-start', entrants: entrants.map(({ name, stage, parameters }) => ({ name, stage, parameters })), steps });
      const started = performance.now();
      const runs = entrants.map((entrant, index) => {
        const emit = (e: PipelineEvent): void => {
          if (e.type === 'step') post({ type: 'race-step', index, step: e.step, loss: e.loss });
        };
        const { stage: modelName, ...modelOptions } = entrant.stage;
        const model = registry.get(String(modelName))!.create(modelOptions, context(seed, 6, artifacts, emit));
        const trainer = registry.get('train')!.create(train, context(seed, 7, artifacts, emit));
        return of(data).pipe(
          model,
          trainer,
          map((bundle: TrainedBundle) => {
            const epochs = bundle.training.history;
            const validLoss = epochs[epochs.length - 1]?.valid?.loss;
            return { index, ...(validLoss !== undefined ? { validLoss } : {}), ms: performance.now() - started };
          }),
        );
      });
      const results: { index: number; validLoss?: number; ms: number }[] = [];
      onStart(
        merge(...runs)
          .pipe(tap((r) => results.push(r)))
          .subscribe({
            complete: () => post({ type: 'race-done', results: results.sort((a, b) => a.index - b.index) }),
            error: (e: unknown) => post(errorMessage(e)),
          }),
      );
    },
    error: (e: unknown) => post(errorMessage(e)),
  });
}
