import { noGrad, slice, Tensor } from '@loopflow/tensor';
import { Batch, collate, Sample, SeriesSample } from '@loopflow/data';
import type { GradientFlowEntry } from '@loopflow/cells';
import type { EvaluatedBundle, TrainedBundle } from '../vocabulary/bundle';
import type { SplitName } from '../vocabulary/items';
import type { PreparedData } from '../vocabulary/prepared';
import { taskLoss } from '../task/loss';
import { orderedBatches, seriesInOriginalUnits, targetOffsets, windowEnd } from '../series/original-units';
import { seasonalForecasts } from '../baselines/baselines';

/** The file of a run folder holding the diagnostics (read by the report). */
export const DIAGNOSTICS_FILE = 'diagnostics.json';

/** Gradient flow through time on one batch: per layer and direction, `||dL/dh_t||` for each step t. */
export interface GradientFlowDiagnostics {
  split: SplitName;
  /** Sequences in the batch and its steps. */
  batchSize: number;
  steps: number;
  /** What L is. */
  loss: string;
  entries: GradientFlowEntry[];
}

/** One target of a forecast split: where it lies, the truth, the model's and the baselines' predictions (original units). */
export interface SeriesComparisonPoint {
  /** The row of the original series. */
  row: number;
  /** The row's label (e.g. its month), when the source gave one. */
  label?: string;
  actual: number;
  model: number;
  /** Baseline name -> prediction. */
  baselines: Record<string, number>;
}

/** The model's forecasts on a split next to the truth and the baselines, for a plot. */
export interface SeriesComparison {
  split: SplitName;
  /** The column plotted. */
  column: string;
  /** Steps ahead of each window's last row that the plotted forecasts are. */
  ahead: number;
  points: SeriesComparisonPoint[];
}

/** What a run's report plots beyond its metrics and losses. */
export interface RunDiagnostics {
  gradientFlow?: GradientFlowDiagnostics;
  series?: SeriesComparison;
  /** Why a part is missing (e.g. the model has no hidden state to trace). */
  notes: string[];
}

/**
 * One batch of a split whose sequences all have the same length: up to `batchSize` samples
 * of the most common length (the longer on a tie), in split order. No step is padding, so
 * the hidden state after every step is a state of every sequence in the batch.
 */
export function equalLengthBatch(data: PreparedData, split: SplitName): Batch | undefined {
  const byLength = new Map<number, Sample[]>();
  for (const sample of data.samples[split]) {
    const group = byLength.get(sample.input.length);
    if (group) group.push(sample);
    else byLength.set(sample.input.length, [sample]);
  }
  let chosen: Sample[] = [];
  for (const [length, group] of byLength) if (group.length > chosen.length || (group.length === chosen.length && length > chosen[0].input.length)) chosen = group;
  return chosen.length ? collate(chosen.slice(0, data.batching.batchSize)) : undefined;
}

/**
 * Gradient flow of the trained model on one validation batch (a training batch when the
 * validation split is empty): the norm of `dL/dh_t`, the gradient of the loss with respect
 * to the hidden state after each step t (the cells package's `gradientFlow`), which shows how
 * far back through time the gradient reaches. L is the training loss of what the model reads
 * out: the class or forecast (after the last step, or from the mean over the steps), or for
 * a language model the prediction at the last step only.
 *
 * The batch's sequences have equal lengths ({@link equalLengthBatch}), so that "the last
 * step" is a real step of every sequence (a language model's loss reads step T-1) and every
 * norm covers the whole batch. Undefined for models without that trace (feedback networks,
 * attention).
 */
export function gradientFlowOf(bundle: TrainedBundle): GradientFlowDiagnostics | undefined {
  const { data, model } = bundle;
  if (!model.gradientFlow) return undefined;
  const split: SplitName = data.samples.validation.length > 0 ? 'validation' : 'train';
  const first = equalLengthBatch(data, split);
  if (!first) return undefined;
  const lossOptions = bundle.training.loss;
  const T = first.inputs.shape[0];
  const lastStep = (output: Tensor): Tensor => {
    // a language model's loss at the last step only: how far back its gradient reaches is what the plot shows
    const targets = slice(first.targets, 0, T - 1, T); // [1, B]
    return taskLoss(data.task, slice(output, 0, T - 1, T), { ...first, targets, mask: slice(first.mask, 0, T - 1, T) }, lossOptions);
  };
  const entries = model.gradientFlow(first, (output) => (data.task === 'language-model' ? lastStep(output) : taskLoss(data.task, output, first, lossOptions)));
  const lossName = lossOptions.loss ?? (data.task === 'forecast' ? 'mse' : 'cross-entropy');
  const read = model.description.options.pooling === 'mean' ? 'read from the mean over the steps' : 'read after the last step';
  const what = data.task === 'language-model' ? 'of the prediction at the last step' : `of the ${data.task === 'classification' ? 'class' : 'forecast'}, ${read}`;
  return { split, batchSize: first.size, steps: T, loss: `the training loss ${what} (${lossName})`, entries };
}

/**
 * The model's forecasts on a split (default test) in the original units next to the truth
 * and the forecast baselines the run measured, one point per window (its farthest target),
 * first target column.
 */
export function seriesComparison(bundle: EvaluatedBundle, split: SplitName = 'test'): SeriesComparison | undefined {
  const { data, model } = bundle;
  const layout = data.artifacts.series;
  if (data.task !== 'forecast' || !layout || data.samples[split].length === 0) return undefined;
  const samples = data.samples[split] as SeriesSample[];
  const offsets = targetOffsets(layout);
  const last = offsets.length - 1; // the farthest target of each window
  const Ft = layout.targetColumns.length;
  const points: SeriesComparisonPoint[] = [];
  noGrad(() => {
    let first = 0;
    for (const batch of orderedBatches(data, split)) {
      const these = samples.slice(first, first + batch.size);
      const predicted = seriesInOriginalUnits(data.artifacts, model.forward(batch, undefined, { training: false }).output, these); // [H, B, Ft]
      const actual = seriesInOriginalUnits(data.artifacts, batch.targets, these);
      these.forEach((sample, b) => {
        const row = windowEnd(data.artifacts, sample) + offsets[last];
        const at = (last * batch.size + b) * Ft;
        points.push({ row, ...(data.artifacts.rowLabels?.[row] ? { label: data.artifacts.rowLabels[row] } : {}), actual: actual[at], model: predicted[at], baselines: {} });
      });
      first += batch.size;
    }
  });
  for (const baseline of bundle.baselines ?? []) {
    if (baseline.name !== 'seasonal-naive' && baseline.name !== 'seasonal-naive-drift') continue;
    seasonalForecasts(data, baseline.name, baseline.options, split).forEach((p, i) => (points[i].baselines[baseline.name] = p.predicted[last][0]));
  }
  const column = data.artifacts.columns?.[layout.targetColumns[0]] ?? `column ${layout.targetColumns[0]}`;
  return { split, column, ahead: offsets[last], points };
}

/**
 * Everything the report plots beyond metrics and losses, computed once at the end of a run:
 * gradient flow on one validation batch, and for a forecast the test split's predictions
 * against the truth and the baselines. A part that cannot be computed is left out with a note.
 */
export function runDiagnostics(bundle: TrainedBundle | EvaluatedBundle): RunDiagnostics {
  const notes: string[] = [];
  const out: RunDiagnostics = { notes };
  try {
    out.gradientFlow = gradientFlowOf(bundle);
    if (!out.gradientFlow) notes.push(`gradient flow: not traced for a ${bundle.model.description.kind} model (the cells package's gradientFlow follows the hidden state of recurrent stacks)`);
  } catch (e) {
    notes.push(`gradient flow: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (bundle.data.task === 'forecast' && 'metrics' in bundle) {
    try {
      out.series = seriesComparison(bundle);
    } catch (e) {
      notes.push(`forecasts against the truth: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out;
}
