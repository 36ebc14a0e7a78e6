/**
 * @loopflow/pipeline's browser entry in a page (bundled to pipeline-page.js by esbuild with its
 * default options and format esm: no plugins, no aliases, no shims of Node built-ins): a
 * definition validated with the registry's schema, problems at their lines; the registry's own
 * dataset stage refusing to run without Node; a small char-LSTM trained through the pipeline's
 * stages, composed with `pipe` as runPipeline composes them, with `runDir: null`.
 */
import { EMPTY, from, lastValueFrom, Observable } from 'rxjs';
import { checkDefinition, createDefaultRegistry, parseJsonWithPositions, StageRegistry } from '@loopflow/pipeline/browser';
import type { DefinitionProblem, EvaluatedBundle, Item, PipelineEvent, StageContext } from '@loopflow/pipeline/browser';

/** A broken definition: `hiddenSize` below its minimum on line 6, an unknown key on line 7. */
export const BROKEN = [
  '{',
  '  "name": "broken",',
  '  "stages": [',
  '    { "stage": "first-names" },',
  '    { "stage": "tokenize", "tokenizer": "char" },',
  '    { "stage": "recurrent", "cell": "lstm", "hiddenSize": -4 },',
  '    { "stage": "train", "epochs": 1, "learningRate": 0.1 }',
  '  ]',
  '}',
].join('\n');

/** The problems of {@link BROKEN}, validated in the page. */
function validateBroken(): DefinitionProblem[] {
  const parsed = parseJsonWithPositions(BROKEN);
  return checkDefinition(parsed.value, { baseDir: '/', checkFiles: false, checkSearch: false, locations: parsed.locations }).problems;
}

/** The registry's own `first-names` stage run in the page: its error (it reads the installed data packages). */
async function runNodeOnlyStage(): Promise<{ code?: string; message: string }> {
  const stage = createDefaultRegistry().get('first-names')!;
  const ctx: StageContext = { baseDir: '/', runDir: null, seed: 1, name: 'x', path: '/stages/0', artifacts: {}, emit: () => undefined };
  try {
    await lastValueFrom((stage.create({}, ctx)(EMPTY) as Observable<unknown>));
    return { message: 'no error' };
  } catch (e) {
    return { code: (e as { code?: string }).code, message: (e as Error).message };
  }
}

/** What {@link trainNames} reports. */
export interface PipelineTraining {
  problems: DefinitionProblem[];
  epochLosses: number[];
  parameters: number;
  vocab: number;
  validationLoss: number;
  bigramLoss: number;
}

/** Trains a char-LSTM on `names` through the pipeline's stages (the dataset stage reads `names`). */
async function trainNames(names: string[], epochs: number): Promise<PipelineTraining> {
  // The default stages, `first-names` with the same name and schema (validation is the same) reading `names`.
  const registry = new StageRegistry();
  for (const stage of createDefaultRegistry().list()) {
    registry.register(stage.name === 'first-names' ? { ...stage, create: () => () => from(names.map((value): Item<string> => ({ value }))) } : stage);
  }
  const definition = {
    name: 'names-in-a-page',
    seed: 3,
    stages: [
      { stage: 'first-names' },
      { stage: 'tokenize', tokenizer: 'char' },
      { stage: 'random-split', validation: 0.1, test: 0.1 },
      { stage: 'vocabulary' },
      { stage: 'next-token' },
      { stage: 'batch', batchSize: 32 },
      { stage: 'recurrent', cell: 'lstm', hiddenSize: 32, embeddingSize: 16 },
      { stage: 'train', epochs, optimizer: { kind: 'adam', lr: 0.01 }, clipGradNorm: 1 },
      { stage: 'evaluate' },
      { stage: 'baselines', methods: ['bigram'], addK: 1 },
    ],
  };
  const check = checkDefinition(definition, { registry, baseDir: '/', checkFiles: false, checkSearch: false });
  if (!check.validated) return { problems: check.problems, epochLosses: [], parameters: 0, vocab: 0, validationLoss: NaN, bigramLoss: NaN };
  const epochLosses: number[] = [];
  let parameters = 0;
  const emit = (event: PipelineEvent): void => {
    if (event.type === 'train-start') parameters = event.parameters;
    if (event.type === 'epoch') epochLosses.push(event.trainLoss);
  };
  const artifacts = {};
  let stream: Observable<unknown> = EMPTY;
  for (const plan of check.validated.plans) {
    const { stage: _name, ...options } = check.validated.definition.stages[plan.index];
    const ctx: StageContext = { baseDir: '/', runDir: null, seed: 3, name: definition.name, path: `/stages/${plan.index}`, task: plan.task, artifacts, emit };
    stream = plan.stage.create(options, ctx)(stream);
  }
  const bundle = (await lastValueFrom(stream)) as EvaluatedBundle;
  const bigram = bundle.baselines?.find((b) => b.name === 'bigram');
  return {
    problems: [],
    epochLosses,
    parameters,
    vocab: (artifacts as { vocabulary?: { size: number } }).vocabulary?.size ?? 0,
    validationLoss: bundle.metrics.validation?.loss ?? NaN,
    bigramLoss: bigram?.metrics.validation?.loss ?? NaN,
  };
}

(globalThis as Record<string, unknown>).loopflowPipeline = { validateBroken, runNodeOnlyStage, trainNames };
