/**
 * @loopflow/pipeline for a web page: the part of the package that a page can run — the JSON
 * definitions (parsing with positions, the stage registry and its composed schema, the one
 * validation pass that `loopflow validate` runs), the stages themselves (composed with `pipe`
 * by the caller, with `runDir: null` so that nothing is written), the model builders, text
 * generation and forecasting, the baselines and the series diagnostics the report plots, and
 * the import of TensorFlow.js layers models from model.json and its weight bytes.
 *
 * Left out, because they read or write files or start threads: loading a definition from a
 * file, `runPipeline` (it writes a run folder), run folders, model files, reports, search and
 * inspection. Use `encodeSafetensors` / `decodeSafetensors` of @loopflow/layers for weights.
 *
 * Import it as `@loopflow/pipeline/browser` (dist/browser.mjs; in Node the subpath resolves to
 * the full entry, so Node loads one copy of the package). Any bundler builds it as it is —
 * esbuild with default options, no plugins, aliases or shims of Node built-ins
 * (tools/browser/packages.browser.spec.ts checks it in Chromium): no module it reaches imports
 * a Node built-in or a Node-only package at its top. Those that read or write files reach Node
 * on use (src/platform/node.ts) and fail outside Node with a `NODE_ONLY` error naming the
 * feature; the dataset stages (`first-names`, `co2`, `spam-assassin`) load @loopflow/datasets
 * only when they run, and `csv` sources load csv-parse only when they read. So in a page: pass
 * `baseDir` and `checkFiles: false` to `checkDefinition`, `runDir: null` to the stages, and
 * replace the dataset stages by ones that read the page's data (same name and schema, so
 * validation is the same: `{ ...registry.get('co2'), create }`).
 *
 * Every export here is also exported by src/index.ts: the types are the same.
 */

// The vocabulary stages share
export { defineStage, StageOptionsError, STAGE_CATEGORIES } from './vocabulary/stage';
export type { StageDefinition, StageContext, StageIssue, StageCategory, JsonSchema } from './vocabulary/stage';
export type { PipelineEvent, StageEvent, DataEvent, TrainStartEvent, EvaluationEvent, BaselineEvent, OutputEvent, LogEvent } from './vocabulary/events';
export type { Item, SplitName } from './vocabulary/items';
export type { Artifacts, SeriesLayout, SplitRows } from './vocabulary/artifacts';
export type { PreparedData, Task } from './vocabulary/prepared';
export type { SampleList } from './vocabulary/sample-list';
export type { ModelBundle, TrainedBundle, EvaluatedBundle, TrainingSummary, GeneratedSamples, BaselineResult } from './vocabulary/bundle';
export type { PipelineModel, ModelDescription } from './vocabulary/model';
export type { MetricSet } from './vocabulary/metric-set';

// Definitions: registry, schema, the one validation pass
export { StageRegistry } from './registry/registry';
export { createDefaultRegistry, defaultRegistry } from './stages/default-registry';
export { composePipelineSchema } from './registry/schema';
export type { PipelineDefinition, StageEntry } from './definition/types';
export { parseJsonWithPositions, JsonSyntaxError } from './definition/json-positions';
export type { ParsedJson, TextPosition, ValueLocation } from './definition/json-positions';
export { DefinitionError, formatProblems } from './definition/problems';
export type { DefinitionProblem, ProblemCode } from './definition/problems';
export { validateDefinition, checkDefinition } from './definition/validate';
export type { ValidateOptions, ValidatedDefinition, DefinitionCheck } from './definition/validate';
export type { StagePlan } from './definition/check-stages';
export { applyOverrides } from './overrides/overrides';
export type { DefinitionOverrides } from './overrides/overrides';

// Models, outputs, baselines, the report's series
export { buildModel } from './model/builders';
export { MODEL_FORMAT, describeModel, encodeModelWeights, artifactsOf, checkFiniteWeights, currentWeightNames } from './model/model-json';
export type { ModelFile } from './model/model-json';
export { generateText, forecastAhead, forecastReach } from './model/generate';
export type { ForecastRow, ForecastReach } from './model/generate';
export { computeBaseline, baselinesFor } from './baselines/baselines';
export { fitBigram, bigramNll } from './baselines/bigram';
export { seriesComparison } from './diagnostics/diagnostics';
export type { SeriesComparison, SeriesComparisonPoint } from './diagnostics/diagnostics';

// TensorFlow.js / Keras layers models from model.json and the weight bytes (no file access; loadTfjsModel reads the files in Node)
export { convertTfjsModel } from './interop/tfjs/convert';
export type { TfjsModelJson, TfjsImportedModel, TfjsDenseModule } from './interop/tfjs/convert';
export { planTfjsModel } from './interop/tfjs/topology';
export type { TfjsPlan, TfjsInput, TfjsRecurrentLayer, TfjsDenseActivation } from './interop/tfjs/topology';
export { decodeTfjsWeights } from './interop/tfjs/weights';
export type { TfjsWeight, TfjsWeightSpec, TfjsWeightsGroup } from './interop/tfjs/weights';
export { tfjsPipelineModel } from './interop/tfjs/pipeline-model';
export type { TfjsPipelineOptions, TfjsPipelineModel } from './interop/tfjs/pipeline-model';
