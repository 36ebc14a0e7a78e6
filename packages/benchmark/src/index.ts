/**
 * @loopflow/benchmark — the comparison of RNN (tanh), LSTM, GRU, IndRNN (direct feedback) and
 * a decoder-only transformer at equal parameter budgets over seeds: the adding problem, delayed
 * recall, long-range context ("the clouds ... are in the sky"), a character language model on
 * first names and the CO2 forecast; time and memory per training step against sequence length
 * with fitted exponents; gradient flow of the recurrent models; the published findings set
 * against the measured numbers; a Markdown + HTML (plots) + JSON report.
 * Depends on tensor, layers, cells, attention, losses, optimizers, data and pipeline (its
 * `train` runs every training run). This file is the package's whole public API.
 */

// Running the comparison (what `loopflow compare` calls)
export { runCompare } from './compare';
export type { CompareIO, CompareOutcome } from './compare';
export { parseCompareArgs, resumeCommand, COMPARE_USAGE, COMPARE_OPTIONS, parseArgs, UsageError, formatUsageError, optionsHelp } from './args';
export type { CompareOptions, ParsedCompareArgs, OptionSpec, ParsedArgs } from './args';
export { suiteConfig, specMaxLength } from './suite';
export type { SuiteName, SuiteConfig, TaskPlan } from './suite';
export { planSuite, resolveSuite } from './plan';
export type { SuitePlan } from './plan';
export { BenchmarkError, CompareInterrupted } from './errors';
export type { BenchmarkErrorCode } from './errors';
export { MODEL_KINDS, RECURRENT_KINDS, TASK_NAMES, MODEL_LABELS, TASK_LABELS } from './names';
export type { ModelKind, TaskName } from './names';

// Tasks
export type { TaskInstance, TaskBatch, BatchEvaluation, MetricSpec, Baseline, EvaluationSizes } from './tasks/task';
export { isSolved } from './tasks/task';
export { createTask } from './tasks/create-task';
export type { TaskSpec } from './tasks/create-task';
export { addingSequence, addingExample, addingBatch, addingTask, ADDING_BASELINE_MSE, ADDING_SOLVED_MSE } from './tasks/adding';
export type { AddingExample } from './tasks/adding';
export { copySequence, copyLength, copyBatch, copyTask } from './tasks/copy';
export type { CopyShape, CopyExample } from './tasks/copy';
export { longContextSentence, longContextBatch, longContextTask, SUBJECT_PLACES, LONG_CONTEXT_VOCABULARY, MIN_DISTANCE, LONG_CONTEXT_SOLVED_ACCURACY } from './tasks/long-context';
export type { LongContextSentence } from './tasks/long-context';
export { charLmTask, nameVocabulary, nameSample, ngramBaselines } from './tasks/char-lm';
export type { NameVocabulary } from './tasks/char-lm';
export { co2Task, seriesWindowsOf, lagDifferences, CO2_HORIZON } from './tasks/co2';
export type { SeriesWindow } from './tasks/co2';

// Models at equal budgets
export { createBenchModel, setForgetBias } from './models/create-model';
export type { BenchModel, BenchModelOptions } from './models/create-model';
export { widthForBudget, recurrentParameterCount } from './models/budget';
export type { BudgetChoice, ModelIO } from './models/budget';
export { ARCHITECTURES, LSTM_FORGET_BIAS, INDRNN_MAX_GAIN } from './models/architecture';
export type { Architecture } from './models/architecture';

// Jobs: training runs, scaling, gradient flow
export { runTrainJob, evaluateSet } from './training/train-run';
export type { TrainJob, TrainResult, CurvePoint, GroupValue, JobProgress } from './training/train-run';
export { runFlowJob } from './training/flow-run';
export type { FlowJob, FlowResult } from './training/flow-run';
export { flowCurve } from './training/gradient-flow';
export type { GradientFlowCurve, FlowLayer } from './training/gradient-flow';
export { runScalingJob } from './scaling/scaling-run';
export type { ScalingJob, ScalingResult, ScalingPoint } from './scaling/scaling-run';
export { fitPowerLaw, lastSegmentExponent } from './scaling/fit';
export type { PowerLawFit } from './scaling/fit';
export { runJob } from './jobs/job';
export type { BenchJob, JobResult, FailedJob } from './jobs/job';
export { runJobs } from './jobs/pool';
export type { PoolOptions, PoolEvent, Isolation } from './jobs/pool';
export { localJobRunner } from './jobs/runner';
export type { JobRunner, JobRunnerFactory, JobRunnerPlan } from './jobs/runner';

// Reports
export type { CompareReport, SummaryRow, GroupRow, Comparison, TaskSummary, SkippedRun, MachineInfo } from './report/types';
export { summarize, groupRows } from './report/aggregate';
export { compareWithPublished } from './report/published';
export type { ComparisonInput } from './report/published';
export { renderMarkdown, markdownTable } from './report/markdown';
export { renderHtml, htmlTable } from './report/html';
export { reportPlots, renderSvg } from './report/plots';
export type { Plot } from './report/plots';
export { summaryTable } from './report/tables';
export type { Table } from './report/tables';
export { createProgressView } from './progress';
export type { ProgressView, ProgressStream } from './progress';
