import * as fs from 'fs';
import * as path from 'path';
import { LoopflowError, Random, Tensor, fmtShape } from '@loopflow/tensor';
import { decodeSafetensors, loadStateDict, namedParameters } from '@loopflow/layers';
import { MODEL_BUILDERS, SUMMARY_FORMAT, artifactsOf, buildModel, checkFiniteWeights, currentWeightNames, saveModel } from '@loopflow/pipeline';
import type { ModelFile, RunSummary } from '@loopflow/pipeline';
import type { Command } from './command';
import { EXIT } from '../io';
import type { CliIO } from '../io';
import { JsonOutput } from '../json';
import { UsageError } from '../args';
import type { ParsedArgs } from '../args';
import { errorJson, JSON_OPTION, messageOf, onePath } from './shared';
import { TFJS_IMPORT_OPTIONS, runTfjsImport } from './import-tfjs';

/**
 * `loopflow import <checkpoint> --model <model description> --out <run folder>`: a checkpoint
 * trained elsewhere (PyTorch, saved as safetensors) becomes a loopflow run folder
 * (model.json, model.safetensors, summary.json), which `loopflow inspect --samples`,
 * `loadModel` and the playground read like any run.
 *
 * The model description (`--model`) is a JSON file shaped like a run folder's model.json
 * without its bookkeeping: `architecture` (what `buildModel` builds: `kind`, `task`, `options`
 * of the model stage, `input`, `outputSize`), and what feeds the model (`vocabulary`,
 * `tokenizer`, `labels`, `scaler`, `columns`, `series`), optionally a `name`. Every tensor the
 * architecture has must be in the checkpoint under its PyTorch name, with its shape.
 *
 * Source formats, dispatched at the top of `run`:
 * - `--tfjs <model.json>`: a Keras / TensorFlow.js layers model, whose model.json describes its
 *   own architecture: handed whole to `runTfjsImport` (import-tfjs.ts; docs/interop-keras.md).
 * - otherwise the positional checkpoint with `--model`: one entry of `SOURCES` each, chosen by
 *   `pickSource` (today safetensors); a new format of weights-only files adds its entry there,
 *   whose `read` returns the tensors in PyTorch names, and shares the checking and writing.
 */

/** Error codes of `loopflow import`. */
export type ImportErrorCode = 'IMPORT_MODEL_INVALID' | 'IMPORT_MISSING_TENSOR' | 'IMPORT_SHAPE_MISMATCH' | 'IMPORT_UNEXPECTED_TENSOR' | 'IMPORT_OUT_EXISTS';

function fail(code: ImportErrorCode, message: string): never {
  throw new LoopflowError(code, message);
}

/** A checkpoint format `import` reads. */
interface ImportSource {
  /** What the summary records as the source format. */
  format: string;
  /** The checkpoint's tensors, named as the PyTorch module's state dict. */
  read(file: string): Record<string, Tensor>;
}

/** The source formats, by name (the option that selects one, or 'safetensors', the default). */
const SOURCES: Record<string, ImportSource> = {
  safetensors: {
    format: 'safetensors',
    read: (file) => decodeSafetensors(fs.readFileSync(file), { source: file }).tensors,
  },
};

/**
 * The source format and file the arguments name: the dispatch, in one place. Today: the
 * positional file, read as safetensors. A new format's flag (e.g. `--tfjs <model.json>`) is
 * checked here first and returns its `SOURCES` entry and file.
 */
function pickSource(args: ParsedArgs, io: CliIO): { source: ImportSource; checkpoint: string } {
  return { source: SOURCES.safetensors, checkpoint: path.resolve(io.cwd, onePath(args.positionals, 'checkpoint', 'import')) };
}

/** The part of model.json the user writes. */
type ModelDescriptionFile = Partial<Omit<ModelFile, 'format' | 'parameters' | 'weights' | 'weightsSha256'>> & Pick<ModelFile, 'architecture'>;

function readDescription(file: string): ModelDescriptionFile {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    fail('IMPORT_MODEL_INVALID', `--model ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not a JSON file (${messageOf(e)})`}; pass a JSON file with "architecture" (docs/pytorch.md)`);
  }
  const description = value as ModelDescriptionFile;
  const a = description?.architecture;
  if (!a || typeof a !== 'object' || typeof a.kind !== 'string' || typeof a.task !== 'string' || typeof a.options !== 'object' || typeof a.input !== 'object' || typeof a.outputSize !== 'number') {
    fail('IMPORT_MODEL_INVALID', `--model ${file}: expected an object with "architecture": { "kind", "task", "options", "input", "outputSize" } (as in a run folder's model.json; docs/pytorch.md)`);
  }
  if (!Object.prototype.hasOwnProperty.call(MODEL_BUILDERS, a.kind)) {
    fail('IMPORT_MODEL_INVALID', `--model ${file}: architecture.kind '${a.kind}'; expected one of ${Object.keys(MODEL_BUILDERS).map((k) => `'${k}'`).join(', ')}`);
  }
  return description;
}

/**
 * Checks the checkpoint's tensors against the model's parameters, naming each problem: a
 * tensor missing (with the shape expected), a shape that differs (expected and found), or
 * tensors the model has no place for.
 */
function checkTensors(tensors: Record<string, Tensor>, expected: [string, Tensor][], checkpoint: string): void {
  const missing = expected.filter(([name]) => !Object.prototype.hasOwnProperty.call(tensors, name));
  if (missing.length > 0) {
    const list = missing.map(([name, t]) => `'${name}' ${fmtShape(t.shape)}`).join(', ');
    fail('IMPORT_MISSING_TENSOR', `${checkpoint}: missing tensor${missing.length === 1 ? '' : 's'} ${list} (name and shape the architecture expects); the checkpoint holds ${Object.keys(tensors).map((n) => `'${n}'`).join(', ')}. Name the PyTorch module's parts as loopflow's (docs/pytorch.md), or fix the architecture in --model`);
  }
  for (const [name, t] of expected) {
    const found = tensors[name];
    if (found.shape.length !== t.shape.length || found.shape.some((n, i) => n !== t.shape[i])) {
      fail('IMPORT_SHAPE_MISMATCH', `${checkpoint}: tensor '${name}' has shape ${fmtShape(found.shape)}; the architecture in --model expects ${fmtShape(t.shape)}; fix the sizes in --model (hiddenSize, embeddingSize, dModel, vocabulary...) to those the checkpoint was trained with`);
    }
  }
  const known = new Set(expected.map(([name]) => name));
  const unexpected = Object.keys(tensors).filter((name) => !known.has(name));
  if (unexpected.length > 0) {
    fail('IMPORT_UNEXPECTED_TENSOR', `${checkpoint}: tensor${unexpected.length === 1 ? '' : 's'} ${unexpected.map((n) => `'${n}' ${fmtShape(tensors[n].shape)}`).join(', ')} ${unexpected.length === 1 ? 'has' : 'have'} no place in the architecture of --model, whose tensors are ${expected.map(([n]) => `'${n}'`).join(', ')}; describe the whole model in --model, or save only its parts`);
  }
}

/** What `importCheckpoint` wrote. */
interface Imported {
  runDir: string;
  name: string;
  parameters: number;
  tensors: number;
}

/** Reads, checks and writes: the whole of `loopflow import` after the arguments. */
function importCheckpoint(source: ImportSource, checkpoint: string, modelFile: string, runDir: string): Imported {
  const description = readDescription(modelFile);
  if (fs.existsSync(runDir) && (!fs.statSync(runDir).isDirectory() || fs.readdirSync(runDir).length > 0)) {
    fail('IMPORT_OUT_EXISTS', `--out ${runDir} exists and is not an empty folder; pass a new folder`);
  }
  const model = buildModel(description.architecture, new Random(0));
  const tensors = currentWeightNames(source.read(checkpoint));
  const expected = namedParameters(model.modules);
  checkTensors(tensors, expected, checkpoint);
  checkFiniteWeights(tensors, checkpoint);
  loadStateDict(model.modules, tensors); // names and shapes checked above
  const name = description.name ?? path.basename(checkpoint).replace(/\.[^.]*$/, '');
  const artifacts = artifactsOf({ ...description, format: 'loopflow.model/1', name, parameters: 0, weights: '' } as ModelFile);
  fs.mkdirSync(runDir, { recursive: true });
  const file = saveModel(runDir, name, model, artifacts);
  const now = new Date().toISOString();
  const summary: RunSummary = {
    format: SUMMARY_FORMAT,
    name,
    status: 'completed',
    started: now,
    finished: now,
    seconds: 0,
    seed: 0,
    task: description.architecture.task,
    model: description.architecture.kind,
    parameters: file.parameters,
    importedFrom: { file: path.resolve(checkpoint), format: source.format },
  };
  summary.files = [...fs.readdirSync(runDir), 'summary.json'].sort();
  fs.writeFileSync(path.join(runDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return { runDir, name, parameters: file.parameters, tensors: expected.length };
}

/** `loopflow import <checkpoint.safetensors> --model <description.json> --out <run folder>`. */
export const importCommand: Command = {
  name: 'import',
  usage: 'import <checkpoint.safetensors> --model <description.json> --out <run folder> [--json] | import --tfjs <model.json> --out <run folder> [--vocabulary <file>] [--labels <a,b>] [--json]',
  summary: 'Make a run folder from a model trained elsewhere: a PyTorch safetensors checkpoint with a model description, or a Keras / TensorFlow.js model.',
  options: {
    model: { type: 'string', value: '<file>', description: 'JSON: "architecture" as in model.json (kind, task, options, input, outputSize), and "vocabulary"/"tokenizer"/"labels"... to feed it (docs/pytorch.md).' },
    out: { type: 'string', value: '<folder>', description: 'The run folder to write (new or empty).' },
    ...TFJS_IMPORT_OPTIONS,
    json: JSON_OPTION,
  },
  async run(args, io: CliIO) {
    if (args.options.tfjs !== undefined) {
      if (args.options.out === undefined) throw new UsageError('missing --out', 'loopflow import --tfjs <model.json> --out <run folder>');
      if (args.positionals.length > 0 || args.options.model !== undefined) throw new UsageError('--tfjs reads the architecture from its model.json: pass no checkpoint file and no --model');
      const opt = (name: string): string | undefined => (args.options[name] === undefined ? undefined : String(args.options[name]));
      return runTfjsImport({ tfjs: String(args.options.tfjs), out: String(args.options.out), vocabulary: opt('vocabulary'), labels: opt('labels'), json: Boolean(args.options.json) }, io);
    }
    const { source, checkpoint } = pickSource(args, io);
    for (const required of ['model', 'out'] as const) {
      if (args.options[required] === undefined) throw new UsageError(`missing --${required}`, 'loopflow import <checkpoint.safetensors> --model <description.json> --out <run folder>');
    }
    if (!fs.existsSync(checkpoint)) throw new UsageError(`no such checkpoint: ${checkpoint}`);
    const json = args.options.json ? new JsonOutput(io.stdout) : null;
    try {
      const done = importCheckpoint(source, checkpoint, path.resolve(io.cwd, String(args.options.model)), path.resolve(io.cwd, String(args.options.out)));
      if (json) return json.result('import', EXIT.ok, { ...done });
      io.stdout.write(`imported ${path.relative(io.cwd, checkpoint) || checkpoint}: ${done.tensors} tensors, ${done.parameters} parameters -> ${path.relative(io.cwd, done.runDir) || '.'} (model.json, model.safetensors, summary.json)\n`);
      return EXIT.ok;
    } catch (e) {
      if (json) return json.result('import', EXIT.failed, { error: errorJson(e) });
      io.stderr.write(`import failed: ${messageOf(e)}\n`);
      return EXIT.failed;
    }
  },
};
