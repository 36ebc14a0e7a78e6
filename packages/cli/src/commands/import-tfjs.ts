/**
 * The TensorFlow.js part of `loopflow import`: a tfjs layers model (model.json + its weight
 * shards) made into a run folder — model.json and model.safetensors written by pipeline's
 * `saveModel`, and a summary.json — so `loopflow inspect` (`--samples` for a language model
 * with a vocabulary), `loadModel` and `createStreamer` work on it as on a trained run.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { JsonOutput } from '../json';
import type { OptionSpec } from '../args';
import { errorJson, messageOf } from './shared';
import { loadTfjsModel, saveModel, SUMMARY_FORMAT, tfjsPipelineModel, writeFileAtomic } from '@loopflow/pipeline';
import type { ModelFile, RunSummary, TfjsPipelineOptions } from '@loopflow/pipeline';

type VocabularyJSON = NonNullable<TfjsPipelineOptions['vocabulary']>;

/** A refusal of the import's own (a vocabulary file, an occupied run folder), with a `code` as the converter's errors have. */
export class TfjsImportError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'TfjsImportError';
    this.code = code;
  }
}

/** Options of {@link importTfjsRun}. */
export interface TfjsImportOptions {
  /** A loopflow vocabulary file (vocabulary.toJSON(): `<pad>`, `<unk>`, `<bos>`, `<eos>` at ids 0-3), one entry per row of the model's Embedding; `inspect --samples` needs it. */
  vocabularyFile?: string;
  /** Class names of a classifier, one per class. */
  labels?: string[];
  /** The run's name (default: the Keras model's name). */
  name?: string;
}

/** What {@link importTfjsRun} wrote. */
export interface TfjsImportResult {
  runDir: string;
  /** The model.json written (loopflow's). */
  model: ModelFile;
  summary: RunSummary;
}

function readVocabulary(file: string): VocabularyJSON {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new TfjsImportError('TFJS_FILE', `tfjs import: the vocabulary ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass the JSON that vocabulary.toJSON() writes (a run folder's model.json holds one under "vocabulary")`);
  }
  try {
    const json = JSON.parse(text) as VocabularyJSON & { vocabulary?: VocabularyJSON };
    return json.format === undefined && json.vocabulary ? json.vocabulary : json; // a run folder's model.json also serves
  } catch (e) {
    throw new TfjsImportError('TFJS_FILE', `tfjs import: the vocabulary ${file} is not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Imports a TensorFlow.js layers model (`modelJsonPath`: its model.json; the weight files it
 * names beside it) into a new run folder `runDir` (created; refused with `RUN_EXISTS` when it
 * already holds a model.json). The model must be one a pipeline builds (`tfjsPipelineModel`:
 * one recurrent stack and one Dense head); refusals carry the converter's codes
 * (`TFJS_UNSUPPORTED`, `TFJS_GRU_RESET_BEFORE`, `TFJS_WEIGHTS`, `TFJS_FILE`,
 * `TFJS_NOT_A_PIPELINE_MODEL`, `TFJS_VOCABULARY`). Paths are used as given (resolve them first).
 *
 * @example importTfjsRun('exported/model.json', 'runs/keras-names', { vocabularyFile: 'exported/vocabulary.json' })
 */
export function importTfjsRun(modelJsonPath: string, runDir: string, options: TfjsImportOptions = {}): TfjsImportResult {
  const started = new Date();
  const imported = loadTfjsModel(modelJsonPath);
  const pipelineOptions: TfjsPipelineOptions = {
    ...(options.vocabularyFile !== undefined ? { vocabulary: readVocabulary(options.vocabularyFile) } : {}),
    ...(options.labels !== undefined ? { labels: options.labels } : {}),
  };
  const { model, description, artifacts } = tfjsPipelineModel(imported, pipelineOptions);
  if (fs.existsSync(path.join(runDir, 'model.json'))) {
    throw new TfjsImportError('RUN_EXISTS', `${runDir} already holds a model.json; import into a new folder (or delete that one first)`);
  }
  fs.mkdirSync(runDir, { recursive: true });
  const name = options.name ?? imported.name;
  const file = saveModel(runDir, name, model, artifacts);
  const finished = new Date();
  const summary: RunSummary = {
    format: SUMMARY_FORMAT,
    name,
    status: 'completed',
    started: started.toISOString(),
    finished: finished.toISOString(),
    seconds: (finished.getTime() - started.getTime()) / 1000,
    seed: 0,
    task: description.task,
    model: `recurrent (${description.options.cell}), imported from TensorFlow.js: ${path.resolve(modelJsonPath)}`,
    parameters: file.parameters,
    ...(artifacts.labels ? { labels: artifacts.labels } : {}),
  };
  summary.files = [...fs.readdirSync(runDir), 'summary.json'].filter((f, i, all) => all.indexOf(f) === i).sort();
  writeFileAtomic(path.join(runDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return { runDir, model: file, summary };
}

/** One line for the terminal: what was imported where. */
export function formatTfjsImport(result: TfjsImportResult): string {
  const o = result.model.architecture.options as Record<string, unknown>;
  return `imported ${result.model.name}: ${result.model.architecture.task} model, ${o.cell} hidden ${o.hiddenSize} x ${o.numLayers} layer(s)${o.bidirectional ? ', bidirectional' : ''}, ${result.model.parameters} parameters -> ${result.runDir}`;
}

/** The options `loopflow import` takes for this part (`--tfjs` selects it; `--out` and `--json` are the command's own). */
export const TFJS_IMPORT_OPTIONS: Record<string, OptionSpec> = {
  tfjs: { type: 'string', value: '<model.json>', description: 'Import a TensorFlow.js / Keras layers model: its model.json, the weight files beside it (docs/interop-keras.md).' },
  vocabulary: { type: 'string', value: '<file>', description: "With --tfjs: the token model's vocabulary (a loopflow vocabulary JSON, or a run folder's model.json), for inspect --samples." },
  labels: { type: 'string', value: '<a,b,...>', description: "With --tfjs: a classifier's class names, comma-separated." },
};

/** What `loopflow import --tfjs` passes on: the option values as parsed (paths relative to `io.cwd`). */
export interface TfjsImportArgs {
  tfjs: string;
  out: string;
  vocabulary?: string;
  labels?: string;
  name?: string;
  json?: boolean;
}

/**
 * `loopflow import --tfjs <model.json> --out <run folder>`: imports, prints one line (or, with
 * `json`, the result object `{ type: 'result', command: 'import', exitCode, status, runDir, model, summary }`),
 * and returns the exit code: 0, or 1 when the model is refused (the message and its code printed).
 */
export async function runTfjsImport(args: TfjsImportArgs, io: CliIO): Promise<number> {
  const json = args.json ? new JsonOutput(io.stdout) : null;
  const resolve = (p: string): string => path.resolve(io.cwd, p);
  try {
    const result = importTfjsRun(resolve(args.tfjs), resolve(args.out), {
      ...(args.vocabulary !== undefined ? { vocabularyFile: resolve(args.vocabulary) } : {}),
      ...(args.labels !== undefined ? { labels: args.labels.split(',').map((l) => l.trim()) } : {}),
      ...(args.name !== undefined ? { name: args.name } : {}),
    });
    if (json) return json.result('import', EXIT.ok, { status: 'completed', runDir: result.runDir, model: result.model, summary: result.summary });
    io.stdout.write(`${formatTfjsImport({ ...result, runDir: path.relative(io.cwd, result.runDir) || '.' })}\n`);
    return EXIT.ok;
  } catch (e) {
    if (json) return json.result('import', EXIT.failed, { status: 'failed', error: errorJson(e) });
    const code = (e as { code?: unknown }).code;
    io.stderr.write(`loopflow import: ${messageOf(e)}${typeof code === 'string' ? ` [${code}]` : ''}\n`);
    return EXIT.failed;
  }
}
