/**
 * @loopflow/pipeline — the top of loopflow's library layering: the JSON pipeline definitions,
 * the stage registry, evaluation, reports and hyper-parameter search, on top of the training
 * loop of @loopflow/training. Only the CLI depends on it.
 *
 * This file is the package's whole public API: a list of exports, one block per part.
 */

// The vocabulary stages share (src/vocabulary): the stage contract, data kinds, items, artifacts, prepared data, bundles, events, metrics
export { defineStage, StageOptionsError, STAGE_CATEGORIES } from './vocabulary/stage';
export type { StageDefinition, StageContext, StageIssue, StageCategory, JsonSchema } from './vocabulary/stage';
export { DATA_KINDS, KIND_ORDER } from './vocabulary/kinds';
export type { DataKind } from './vocabulary/kinds';
export type { PipelineEvent, StageEvent, ReadEvent, DataEvent, TrainStartEvent, EvaluationEvent, BaselineEvent, OutputEvent, LogEvent } from './vocabulary/events';
export type { Item, SplitName } from './vocabulary/items';
export type { Artifacts, SeriesLayout, SplitRows } from './vocabulary/artifacts';
export type { PreparedData, Task, ModelInputSpec, BatchingOptions } from './vocabulary/prepared';
export { batchesOf } from './vocabulary/prepared';
export { CompactSamples } from './vocabulary/sample-list';
export type { SampleList, SampleLayout } from './vocabulary/sample-list';
export { WindowSample } from './vocabulary/window-samples';
export type { WindowSource } from './vocabulary/window-samples';
export type { ModelBundle, TrainedBundle, EvaluatedBundle, TrainingSummary, GeneratedSamples } from './vocabulary/bundle';
export type { PipelineModel, ModelDescription, ModelForwardOptions } from './vocabulary/model';
export { metricMode, HIGHER_IS_BETTER } from './vocabulary/metric-set';
export type { MetricSet } from './vocabulary/metric-set';
export type { BaselineMethod, BaselineOptions, BaselineResult } from './vocabulary/bundle';

// Pipeline definitions: registry, schema, validation, running, evaluation, search, inspection
export { StageRegistry } from './registry/registry';
export { createDefaultRegistry, defaultRegistry } from './stages/default-registry';
export { composePipelineSchema, stageSchemaKey, NAME_PATTERN } from './registry/schema';
export type { PipelineDefinition, StageEntry, SearchBlock, ParameterSpec } from './definition/types';
export { parseJsonWithPositions, JsonSyntaxError } from './definition/json-positions';
export type { ParsedJson, TextPosition, ValueLocation } from './definition/json-positions';
export { DefinitionError, formatProblems } from './definition/problems';
export type { DefinitionProblem, ProblemCode } from './definition/problems';
export { validateDefinition, validatedDefinition, checkDefinition } from './definition/validate';
export type { ValidateOptions, ValidatedDefinition, DefinitionCheck } from './definition/validate';
export type { StagePlan } from './definition/check-stages';
export { loadDefinition, parseDefinition } from './definition/load';
export type { LoadedDefinition } from './definition/load';
export { closest, editDistance } from './vocabulary/suggest';
export { runPipeline } from './run/run-pipeline';
export { applyOverrides } from './overrides/overrides';
export type { DefinitionOverrides } from './overrides/overrides';
export type { RunPipelineOptions, RunEvent, RunStartEvent, RunDoneEvent } from './run/run-pipeline';
export { SUMMARY_FORMAT } from './run-folder/summary';
export type { RunSummary } from './run-folder/summary';
export { createRunFolder, runFolderName, readMetricsLog } from './run-folder/run-folder';
export { writeFileAtomic } from './run-folder/atomic';
export { buildModel, MODEL_BUILDERS } from './model/builders';
export { saveModel, loadModel, MODEL_FORMAT } from './model/model-file';
export { describeModel, encodeModelWeights, artifactsOf, checkFiniteWeights, currentWeightNames } from './model/model-json';
export type { ModelFile, LoadedModel } from './model/model-file';
export { generateText, forecastAhead, forecastReach } from './model/generate';
export type { GenerateTextOptions, ForecastRow, ForecastReach } from './model/generate';
export { classificationMetrics, confusionMatrix } from './metrics/classification';
export type { ClassificationMetrics } from './metrics/classification';
export { regressionMetrics, RegressionAccumulator } from './metrics/regression';
export type { RegressionMetrics } from './metrics/regression';
export { languageModelMetrics } from './metrics/language-model';
export type { LanguageModelMetrics } from './metrics/language-model';
export { evaluateSplit } from './task/evaluate';
export type { SplitEvaluation } from './task/evaluate';
export { renderReport, readReportData } from './report/report';
export type { ReportData } from './report/report';
export { renderSvg } from './report/svg-chart';
export { gradientFlowSpec, seriesSpec, confusionSpec } from './report/charts';

// Baselines, series in original units, diagnostics (src/baselines, src/series, src/diagnostics)
export { computeBaseline, baselinesFor, seasonalForecasts, BASELINE_TASKS } from './baselines/baselines';
export type { SeriesPoint } from './baselines/baselines';
export { fitBigram, bigramNll, bigramLogLoss } from './baselines/bigram';
export type { BigramModel } from './baselines/bigram';
export { meanSeasonalDrift, seasonalNaive } from './baselines/seasonal';
export { majorityClass } from './baselines/majority';
export { seriesInOriginalUnits, originalSeries, targetOffsets, windowEnd, orderedBatches } from './series/original-units';
export type { OriginalSeries } from './series/original-units';
export { runDiagnostics, gradientFlowOf, seriesComparison, equalLengthBatch, DIAGNOSTICS_FILE } from './diagnostics/diagnostics';
export type { RunDiagnostics, GradientFlowDiagnostics, SeriesComparison, SeriesComparisonPoint } from './diagnostics/diagnostics';
export { planTrials, resolveField } from './definition/search-space';
export type { Trial } from './definition/search-space';
export { runSearch, rankTrials } from './search/run-search';
export type { SearchOptions, SearchResult, SearchEvent } from './search/run-search';
export type { TrialResult, TrialProgress, TrialTask } from './search/trial';
export { localTrialRunner } from './search/trial-runner';
export type { TrialRunner, TrialRunnerFactory, TrialRunnerPlan, TrialHooks } from './search/trial-runner';
export { inspectRun, formatInspection } from './inspect/inspect';
export type { RunInspection } from './inspect/inspect';
export { renderStageReference, schemaFileText } from './docs/reference';

// Interop: TensorFlow.js / Keras layers models (src/interop): the converter (no file access) and its Node reader
export { convertTfjsModel } from './interop/tfjs/convert';
export type { TfjsModelJson, TfjsImportedModel, TfjsDenseModule } from './interop/tfjs/convert';
export { planTfjsModel } from './interop/tfjs/topology';
export type { TfjsPlan, TfjsInput, TfjsRecurrentLayer, TfjsDenseActivation } from './interop/tfjs/topology';
export { decodeTfjsWeights } from './interop/tfjs/weights';
export type { TfjsWeight, TfjsWeightSpec, TfjsWeightsGroup } from './interop/tfjs/weights';
export { tfjsPipelineModel } from './interop/tfjs/pipeline-model';
export type { TfjsPipelineOptions, TfjsPipelineModel } from './interop/tfjs/pipeline-model';
export { loadTfjsModel } from './interop/tfjs-file';
