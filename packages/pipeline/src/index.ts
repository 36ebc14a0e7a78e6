/**
 * @loopflow/pipeline — the top of loopflow's library layering: the JSON pipeline definitions,
 * the stage registry, evaluation, reports and hyper-parameter search, on top of the training
 * loop of @loopflow/training. Only the CLI depends on it.
 *
 * This file is the package's whole public API: a list of exports, one block per part.
 */

// Pipeline definitions: registry, schema, validation, running, evaluation, search, inspection
export { StageRegistry } from './registry/registry';
export { createDefaultRegistry, defaultRegistry } from './registry/default-registry';
export { defineStage, StageOptionsError, STAGE_CATEGORIES } from './registry/stage';
export type { StageDefinition, StageContext, StageIssue, StageCategory, JsonSchema } from './registry/stage';
export { DATA_KINDS, KIND_ORDER } from './registry/kinds';
export type { DataKind } from './registry/kinds';
export { composePipelineSchema, stageSchemaKey, NAME_PATTERN } from './registry/schema';
export type { PipelineDefinition, StageEntry } from './definition/types';
export { parseJsonWithPositions, JsonSyntaxError } from './definition/json-positions';
export type { ParsedJson, TextPosition, ValueLocation } from './definition/json-positions';
export { DefinitionError, formatProblems } from './definition/problems';
export type { DefinitionProblem, ProblemCode } from './definition/problems';
export { validateDefinition } from './definition/validate';
export type { ValidateOptions } from './definition/validate';
export { loadDefinition, parseDefinition } from './definition/load';
export type { LoadedDefinition } from './definition/load';
export { closest, editDistance } from './definition/suggest';
export { runPipeline } from './run/run-pipeline';
export { applyOverrides } from './overrides/overrides';
export type { DefinitionOverrides } from './overrides/overrides';
export type { RunPipelineOptions, RunEvent, RunStartEvent, RunDoneEvent } from './run/run-pipeline';
export type { PipelineEvent, StageEvent, DataEvent, TrainStartEvent, EvaluationEvent, BaselineEvent, OutputEvent, LogEvent } from './run/events';
export { SUMMARY_FORMAT } from './run/summary';
export type { RunSummary } from './run/summary';
export { createRunFolder, runFolderName, readMetricsLog } from './run/run-folder';
export type { Item, SplitName } from './stages/common/items';
export type { Artifacts, SeriesLayout, SplitRows } from './stages/common/artifacts';
export type { PreparedData, Task, ModelInputSpec, BatchingOptions } from './stages/common/prepared';
export type { ModelBundle, TrainedBundle, EvaluatedBundle, TrainingSummary, GeneratedSamples } from './stages/common/bundle';
export type { PipelineModel, ModelDescription, ModelForwardOptions } from './model/model';
export { buildModel, MODEL_BUILDERS } from './model/builders';
export { saveModel, loadModel, MODEL_FORMAT } from './model/model-file';
export type { ModelFile, LoadedModel } from './model/model-file';
export { generateText, forecastAhead } from './model/generate';
export type { GenerateTextOptions, ForecastRow } from './model/generate';
export { classificationMetrics, confusionMatrix } from './metrics/classification';
export type { ClassificationMetrics } from './metrics/classification';
export { regressionMetrics, RegressionAccumulator } from './metrics/regression';
export type { RegressionMetrics } from './metrics/regression';
export { languageModelMetrics } from './metrics/language-model';
export type { LanguageModelMetrics } from './metrics/language-model';
export { metricMode, HIGHER_IS_BETTER } from './metrics/metric-set';
export type { MetricSet } from './metrics/metric-set';
export { evaluateSplit } from './task/evaluate';
export type { SplitEvaluation } from './task/evaluate';
export { renderReport, readReportData } from './report/report';
export type { ReportData } from './report/report';
export { renderSvg } from './report/svg-chart';
export { gradientFlowSpec, seriesSpec, confusionSpec } from './report/charts';

// Baselines, series in original units, diagnostics (src/baselines, src/series, src/diagnostics)
export { computeBaseline, baselinesFor, seasonalForecasts, BASELINE_TASKS } from './baselines/baselines';
export type { BaselineMethod, BaselineOptions, BaselineResult, SeriesPoint } from './baselines/baselines';
export { fitBigram, bigramNll, bigramLogLoss } from './baselines/bigram';
export type { BigramModel } from './baselines/bigram';
export { meanSeasonalDrift, seasonalNaive } from './baselines/seasonal';
export { majorityClass } from './baselines/majority';
export { seriesInOriginalUnits, originalSeries, targetOffsets, windowEnd, orderedBatches } from './series/original-units';
export type { OriginalSeries } from './series/original-units';
export { runDiagnostics, gradientFlowOf, seriesComparison, equalLengthBatch, DIAGNOSTICS_FILE } from './diagnostics/diagnostics';
export type { RunDiagnostics, GradientFlowDiagnostics, SeriesComparison, SeriesComparisonPoint } from './diagnostics/diagnostics';
export { planTrials, resolveField } from './search/search-space';
export type { SearchBlock, ParameterSpec, Trial } from './search/search-space';
export { runSearch, rankTrials } from './search/run-search';
export type { SearchOptions, SearchResult, SearchEvent } from './search/run-search';
export type { TrialResult, TrialProgress } from './search/trial';
export { inspectRun, formatInspection } from './inspect/inspect';
export type { RunInspection } from './inspect/inspect';
export { renderStageReference, schemaFileText } from './docs/reference';
