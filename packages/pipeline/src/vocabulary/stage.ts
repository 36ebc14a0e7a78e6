import type { OperatorFunction } from 'rxjs';
import { LoopflowError } from '@loopflow/tensor';
import type { DataKind } from './kinds';
import type { Artifacts } from './artifacts';
import type { PipelineEvent } from './events';
import type { Task } from './prepared';

/** A JSON Schema (draft-07) as plain data. */
export type JsonSchema = Record<string, unknown>;

/** Where a stage sits in a pipeline, which also orders the reference documentation. */
export type StageCategory = 'source' | 'preprocess' | 'split' | 'batch' | 'model' | 'train' | 'evaluate' | 'output';

/** The categories in pipeline order. */
export const STAGE_CATEGORIES: readonly StageCategory[] = ['source', 'preprocess', 'split', 'batch', 'model', 'train', 'evaluate', 'output'];

/**
 * What a stage's factory receives besides its options. Built once per run (or per validation);
 * nothing in it can load code.
 */
export interface StageContext {
  /** The folder of the definition file: relative data paths are read from here. */
  readonly baseDir: string;
  /** The run folder outputs write into; null when only validating. */
  readonly runDir: string | null;
  /** The run's seed (the definition's `seed`, default 0). */
  readonly seed: number;
  /** The seed of the data's random choices (splits): the definition's `dataSeed`, default its `seed` (`seed` when absent). A search keeps it the same for every trial. */
  readonly dataSeed?: number;
  /** The definition's name. */
  readonly name: string;
  /** A checkpoint (or checkpoints folder) the train stage resumes from (`loopflow run --resume`). */
  readonly resumeFrom?: string;
  /** A stop request (Ctrl-C, SIGTERM): the train stage stops at the next batch boundary, writes a checkpoint and fails with INTERRUPTED. */
  readonly signal?: { readonly aborted: boolean };
  /**
   * The keys of the records this stage reads, when validation knows them without running (the
   * header of the csv file a source reads): later stages check the fields they name against it.
   * Undefined when not known (then nothing is checked).
   */
  readonly fields?: readonly string[];
  /** This stage's JSON pointer in the definition (`/stages/3`), for messages. */
  readonly path: string;
  /**
   * The task of the samples, when the stages before this one fix it ('next-token' makes a
   * language model...), so a model stage can refuse options that do not fit it early.
   */
  readonly task?: Task;
  /** Things fitted along the pipeline (vocabulary, scaler, label names) that later stages and the model file need. */
  readonly artifacts: Artifacts;
  /** Reports progress (training events, outputs written) to the runner, the CLI and metrics.jsonl. */
  emit(event: PipelineEvent): void;
}

/** A problem found by a stage's static `check` (a missing file, say). */
export interface StageIssue {
  /** JSON pointer relative to the stage: `/path`. */
  path: string;
  message: string;
  expected?: string;
  found?: string;
  hint?: string;
  /** Default 'STAGE_OPTIONS'. */
  code?: 'STAGE_OPTIONS' | 'FILE';
}

/**
 * A registered stage: its name, the JSON Schema of its options, the kinds it reads and
 * writes, and a factory returning an RxJS operator. Plugins register these; a definition
 * names them; nothing else is ever looked up.
 *
 * @example
 * registry.register(defineStage<{ lowerCase?: boolean }>({
 *   name: 'tokenize', plugin: 'data', category: 'preprocess', input: ['texts'], output: 'tokens',
 *   summary: 'Splits texts into tokens.',
 *   schema: { type: 'object', properties: { lowerCase: { type: 'boolean' } } },
 *   create: (options) => map((item) => ({ ...item, value: [...item.value] })),
 * }));
 */
export interface StageDefinition<O = Record<string, unknown>> {
  /** Lower-case words joined by '-': `csv`, `random-split`, `recurrent`. */
  readonly name: string;
  /** The package whose work the stage does: 'data', 'datasets', 'cells', 'attention', 'pipeline'. */
  readonly plugin: string;
  readonly category: StageCategory;
  /** One sentence, for the reference and editor tooltips. */
  readonly summary: string;
  /** More detail (Markdown) for the reference. */
  readonly description?: string;
  /** The kinds it accepts; `['none']` for a source. */
  readonly input: readonly DataKind[];
  /** The kind it emits; 'same' = the kind it received. */
  readonly output: DataKind | 'same';
  /** The JSON Schema of the options: an object schema; `stage` is added by the registry. */
  readonly schema: JsonSchema;
  /** The task of the samples this stage makes (sample-making stages only). */
  readonly task?: Task;
  /** Categories that must come earlier (e.g. a vocabulary is fitted on the training split: `['split']`). */
  readonly requires?: readonly StageCategory[];
  /**
   * The options that name data files (`['path']`): read relative to the definition's folder,
   * and rewritten when a definition is written elsewhere (a run's definition.json, a search's
   * best.json) so they still name the same files.
   */
  readonly dataPaths?: readonly string[];
  /** A short example of the stage's entry in a definition, for the reference. */
  readonly example?: Record<string, unknown>;
  /**
   * The keys of the records this stage gives, when known without running anything (a CSV
   * source reads its file's header); validation hands them to the stages after it as
   * `context.fields`. Undefined when unknown.
   */
  fields?(options: O, context: StageContext): readonly string[] | undefined;
  /** Static checks beyond the schema that need no running (files exist...); part of the one validation pass. */
  check?(options: O, context: StageContext): StageIssue[];
  /**
   * Builds the operator. Must not start work (no I/O until subscribed): the validation pass
   * calls it with a context that runs nothing (`runDir` null) to find option combinations the
   * schema cannot express, which it reports by throwing a {@link StageOptionsError}; a run
   * then calls it once, with the run's context, to build the operator.
   */
  create(options: O, context: StageContext): OperatorFunction<any, any>;
}

/** Types a stage definition's options (an identity function). */
export function defineStage<O>(definition: StageDefinition<O>): StageDefinition<O> {
  return definition;
}

/**
 * Thrown by a stage factory for options that fit the schema but not each other; becomes a
 * `STAGE_OPTIONS` problem at the stage's path plus `path`.
 */
export class StageOptionsError extends LoopflowError {
  constructor(
    message: string,
    readonly detail: { path?: string; expected?: string; found?: string; hint?: string } = {},
  ) {
    super('STAGE_OPTIONS', message);
    this.name = 'StageOptionsError';
  }
}
