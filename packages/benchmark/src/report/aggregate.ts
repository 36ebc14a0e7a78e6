import type { ModelKind } from '../names';
import type { TrainResult } from '../training/train-run';
import { GroupRow, SummaryRow, TaskSummary } from './types';

/** Mean of a list (NaN when empty). */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (0 for fewer than two values). */
export function sampleSd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

/** Median of a list (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Groups training runs by (task setting, model) into summary rows, in the order of `tasks`
 * and `models`.
 *
 * @example summarize(runs, tasks, ['rnn', 'lstm'])[0].testMean
 */
export function summarize(runs: readonly TrainResult[], tasks: readonly TaskSummary[], models: readonly ModelKind[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const task of tasks) {
    for (const model of models) {
      const group = runs.filter((r) => r.taskId === task.taskId && r.model === model).sort((a, b) => a.seed - b.seed);
      if (group.length === 0) continue;
      const testValues = group.map((r) => r.test);
      const solvedSteps = group.map((r) => r.stepsToSolve).filter((s): s is number => s !== null);
      const rss = group.map((r) => r.rssPeakBytes).filter((v): v is number => v !== null);
      rows.push({
        taskId: task.taskId,
        task: task.task,
        setting: task.setting,
        model,
        parameters: group[0].parameters,
        width: group[0].width,
        seeds: group.length,
        metric: task.metric.name,
        better: task.metric.better,
        testValues,
        testMean: mean(testValues),
        testSd: sampleSd(testValues),
        solved: group.filter((r) => r.solved).length,
        stepsToSolve: group.map((r) => r.stepsToSolve),
        stepsToSolveMedian: solvedSteps.length > 0 ? median(solvedSteps) : null,
        msPerStep: median(group.map((r) => r.msPerStep)),
        heapPeakBytes: Math.max(...group.map((r) => r.heapPeakBytes)),
        rssPeakBytes: rss.length > 0 ? Math.max(...rss) : null,
        steps: group.map((r) => r.steps),
        diverged: group.filter((r) => r.stopped === 'diverged').length,
      });
    }
  }
  return rows;
}

/** The per-group test metric (long-context accuracy by distance), mean over seeds, per model. */
export function groupRows(runs: readonly TrainResult[], models: readonly ModelKind[]): GroupRow[] {
  const out: GroupRow[] = [];
  const taskIds = [...new Set(runs.filter((r) => r.testByGroup).map((r) => r.taskId))];
  for (const taskId of taskIds) {
    for (const model of models) {
      const group = runs.filter((r) => r.taskId === taskId && r.model === model && r.testByGroup);
      if (group.length === 0) continue;
      const keys = [...new Set(group.flatMap((r) => r.testByGroup!.map((g) => g.group)))].sort((a, b) => a - b);
      for (const key of keys) {
        const values = group.map((r) => r.testByGroup!.find((g) => g.group === key)?.value).filter((v): v is number => v !== undefined);
        out.push({ taskId, model, group: key, mean: mean(values), values });
      }
    }
  }
  return out;
}
