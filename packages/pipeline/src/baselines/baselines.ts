import { LoopflowError } from '@loopflow/tensor';
import type { LabelledSample, SeriesSample, TokenSample } from '@loopflow/data';
import type { PreparedData, Task } from '../vocabulary/prepared';
import type { SplitName } from '../vocabulary/items';
import type { MetricSet } from '../vocabulary/metric-set';
import type { BaselineMethod, BaselineOptions, BaselineResult } from '../vocabulary/bundle';
import { classificationMetrics } from '../metrics/classification';
import { languageModelMetrics } from '../metrics/language-model';
import { RegressionAccumulator } from '../metrics/regression';
import { originalSeries, targetOffsets, windowEnd } from '../series/original-units';
import { fitBigram, bigramNll } from './bigram';
import { majorityClass } from './majority';
import { meanSeasonalDrift, seasonalNaive } from './seasonal';

/** The task each baseline fits. */
export const BASELINE_TASKS: Readonly<Record<BaselineMethod, Task>> = {
  bigram: 'language-model',
  majority: 'classification',
  'seasonal-naive': 'forecast',
  'seasonal-naive-drift': 'forecast',
};

/** The baselines that fit a task, in report order. */
export function baselinesFor(task: Task): BaselineMethod[] {
  return (Object.keys(BASELINE_TASKS) as BaselineMethod[]).filter((m) => BASELINE_TASKS[m] === task);
}

/**
 * Fits a baseline on the training split of `data` and measures it on `splits` exactly as the
 * evaluation measures the model: a language model per target token (the end token
 * included), a classifier per example, a forecast per target value in the original units,
 * on the same target points.
 *
 * @example computeBaseline(bundle.data, 'bigram', { addK: 1 }, ['validation', 'test'])
 */
export function computeBaseline(data: PreparedData, method: BaselineMethod, options: BaselineOptions, splits: readonly SplitName[]): BaselineResult {
  if (BASELINE_TASKS[method] !== data.task) {
    throw new LoopflowError('INVALID_ARGUMENT', `baseline '${method}' fits a ${BASELINE_TASKS[method]} task; this data is a ${data.task} task (baselines that fit: ${baselinesFor(data.task).join(', ')})`);
  }
  const present = splits.filter((s) => data.samples[s].length > 0);
  if (method === 'bigram') return { ...bigramBaseline(data, options, present), options: { addK: options.addK ?? 1 } };
  if (method === 'majority') return { ...majorityBaseline(data, present), options: {} };
  return { ...seasonalBaseline(data, method, options, present), options: { season: options.season ?? 1 } };
}

function bigramBaseline(data: PreparedData, options: BaselineOptions, splits: readonly SplitName[]): Omit<BaselineResult, 'options'> {
  const vocabulary = data.artifacts.vocabulary;
  if (!vocabulary) throw new LoopflowError('PIPELINE_ORDER', 'bigram baseline: no vocabulary');
  const k = options.addK ?? 1;
  const model = fitBigram(data.samples.train as TokenSample[], vocabulary.size, { k, excluded: [vocabulary.padId, vocabulary.bosId] });
  const bitsName = data.artifacts.tokenizer?.kind === 'char' ? 'bitsPerCharacter' : 'bitsPerToken';
  const metrics: Partial<Record<SplitName, MetricSet>> = {};
  for (const split of splits) {
    const { nll, tokens } = bigramNll(model, data.samples[split] as TokenSample[]);
    const m = languageModelMetrics(nll, tokens);
    metrics[split] = { loss: m.loss, perplexity: m.perplexity, [bitsName]: m.bits, tokens };
  }
  return { name: 'bigram', description: `bigram model with add-${k} smoothing, fitted on the training split (each token given the one before it; the end token included)`, metrics };
}

function majorityBaseline(data: PreparedData, splits: readonly SplitName[]): Omit<BaselineResult, 'options'> {
  const label = majorityClass((data.samples.train as LabelledSample[]).map((s) => s.label));
  const name = data.artifacts.labels?.[label] ?? String(label);
  const metrics: Partial<Record<SplitName, MetricSet>> = {};
  const confusion: Partial<Record<SplitName, number[][]>> = {};
  for (const split of splits) {
    const actual = (data.samples[split] as LabelledSample[]).map((s) => s.label);
    const m = classificationMetrics(actual.map(() => label), actual, { classes: data.classes });
    metrics[split] = { accuracy: m.accuracy, precision: m.precision, recall: m.recall, f1: m.f1, count: m.count };
    confusion[split] = m.confusion;
  }
  return { name: 'majority', description: `always '${name}', the most frequent class of the training split`, metrics, confusion };
}

/** One forecast sample's baseline predictions and truth in the original units, `[step][column]`. */
export interface SeriesPoint {
  /** The row of the original series each target is. */
  rows: number[];
  predicted: number[][];
  actual: number[][];
}

/**
 * The seasonal-naive (optionally with drift) forecasts of every sample of a split, with the
 * truth, in the original units and at the model's target points (each sample's targets).
 */
export function seasonalForecasts(data: PreparedData, method: 'seasonal-naive' | 'seasonal-naive-drift', options: BaselineOptions, split: SplitName): SeriesPoint[] {
  const { artifacts } = data;
  const layout = artifacts.series;
  const series = originalSeries(artifacts);
  if (!layout || !series) throw new LoopflowError('PIPELINE_ORDER', `${method} baseline: no series layout; make the samples with a 'windows' stage`);
  const season = options.season ?? 1;
  const columns = layout.targetColumns;
  const drift = method === 'seasonal-naive-drift' ? meanSeasonalDrift(series.rows, series.splits, season, columns) : undefined;
  const offsets = targetOffsets(layout);
  return (data.samples[split] as SeriesSample[]).map((sample) => {
    const end = windowEnd(artifacts, sample);
    return {
      rows: offsets.map((k) => end + k),
      predicted: offsets.map((k) => seasonalNaive(series.rows, end, k, season, columns, drift)),
      actual: offsets.map((k) => columns.map((c) => series.rows[end + k][c])),
    };
  });
}

function seasonalBaseline(data: PreparedData, method: 'seasonal-naive' | 'seasonal-naive-drift', options: BaselineOptions, splits: readonly SplitName[]): Omit<BaselineResult, 'options'> {
  const season = options.season ?? 1;
  const metrics: Partial<Record<SplitName, MetricSet>> = {};
  for (const split of splits) {
    const errors = new RegressionAccumulator();
    for (const point of seasonalForecasts(data, method, options, split)) errors.add(point.predicted.flat(), point.actual.flat());
    const r = errors.result();
    metrics[split] = { rmse: r.rmse, mae: r.mae, count: r.count };
  }
  let description = season === 1 ? 'the last observed value' : `the value ${season} steps before the target (one season)`;
  if (method === 'seasonal-naive-drift') {
    const series = originalSeries(data.artifacts);
    const drift = series && data.artifacts.series ? meanSeasonalDrift(series.rows, series.splits, season, data.artifacts.series.targetColumns) : [];
    description += `, plus the training split's mean change over ${season} step${season === 1 ? '' : 's'} (${drift.map((d) => Number(d.toPrecision(4))).join(', ')})`;
  }
  return { name: method, description, metrics };
}
