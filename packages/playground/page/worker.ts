/**
 * The playground's training worker: the page's main thread never trains. It validates the
 * definition it is given with the page's registry (pipeline's stages, the dataset stages
 * reading the page's data: datasets.ts), composes the stages with `pipe` exactly as
 * `runPipeline` does but with `runDir: null` (nothing is written), streams the pipeline's
 * events to the page, and keeps the last model for sampling and for its weights. It also runs
 * the race (race.ts) and loads dropped `.safetensors` files (weights.ts).
 *
 * Stop: the training loop yields to the event loop between steps, so a 'stop' message is
 * handled between two steps; unsubscribing ends the run there and the model keeps the weights
 * it has.
 */
import { EMPTY, Observable, Subscription, tap } from 'rxjs';
import { availableBackends, getBackendName, getBackendThreads, setBackend } from '@loopflow/tensor';
import { fusedKernelsAvailable, fusedKernelsInfo } from '@loopflow/cells';
import { checkDefinition, computeBaseline, generateText, parseJsonWithPositions, JsonSyntaxError, seriesComparison } from '@loopflow/pipeline/browser';
import type { Artifacts, EvaluatedBundle, ModelBundle, PipelineEvent, PreparedData, StageContext } from '@loopflow/pipeline/browser';
import { dataNeeded, pageRegistry, PageData } from './datasets';
import type { FromWorker, KernelReport, RunResult, ToWorker } from './protocol';
import { runRace } from './race';
import { errorMessage, PlaygroundError } from './errors';
import { loadWeights, modelWeights } from './weights';

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  crossOriginIsolated?: boolean;
}
const scope = self as unknown as WorkerScope;
const post = (message: FromWorker, transfer: Transferable[] = []): void => scope.postMessage(message, transfer);

// The training loop yields between steps with setImmediate where there is one, else
// setTimeout (clamped to 4 ms once nested): a MessageChannel gives a prompt macrotask.
if (typeof (globalThis as { setImmediate?: unknown }).setImmediate !== 'function') {
  const channel = new MessageChannel();
  const queue: (() => void)[] = [];
  channel.port1.onmessage = () => queue.shift()?.();
  (globalThis as unknown as { setImmediate: (fn: () => void) => void }).setImmediate = (fn) => {
    queue.push(fn);
    channel.port2.postMessage(0);
  };
}

function kernelReport(): KernelReport {
  if (availableBackends().some((name) => name.startsWith('wasm'))) setBackend('wasm');
  const info = fusedKernelsInfo();
  return {
    backend: getBackendName(),
    backendThreads: getBackendThreads(),
    fusedKernelsAvailable: fusedKernelsAvailable(),
    fused: info ? { variant: info.variant, threads: info.threads } : null,
    crossOriginIsolated: scope.crossOriginIsolated === true,
  };
}

const data: PageData = {};

async function fetchJson<T>(file: string): Promise<T> {
  const res = await fetch(new URL(`./${file}`, location.href.replace(/[^/]*$/, '')));
  if (!res.ok) throw new PlaygroundError('PLAYGROUND_DATA_MISSING', `could not fetch ${file}: HTTP ${res.status}; rebuild the playground (npm run playground)`);
  return (await res.json()) as T;
}

/** Fetches the data files a definition's stages read (once). */
async function ensureData(stageNames: string[]): Promise<void> {
  const need = dataNeeded(stageNames);
  if (need.firstNames && !data.firstNames) data.firstNames = await fetchJson('data/first-names.json');
  if (need.co2 && !data.co2) data.co2 = await fetchJson('data/co2.json');
}

const registry = pageRegistry(data);

/** The last model built by a run (kept after the run, or after stop, for sampling and weights). */
let current: { name: string; bundle: ModelBundle; artifacts: Artifacts } | null = null;
let running: Subscription | null = null;

/** Runs a definition's stages as runPipeline does, without a run folder. */
async function train(text: string): Promise<void> {
  running?.unsubscribe();
  let parsed;
  try {
    parsed = parseJsonWithPositions(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      post({ type: 'problems', problems: [{ code: 'JSON_SYNTAX', path: '', position: e.position, message: `not valid JSON: ${e.reason}` }] });
      return;
    }
    throw e;
  }
  const value = parsed.value as { stages?: { stage?: unknown }[] };
  await ensureData(Array.isArray(value?.stages) ? value.stages.map((s) => String(s?.stage)) : []);
  const check = checkDefinition(parsed.value, { registry, baseDir: '/', checkFiles: false, checkSearch: false, locations: parsed.locations });
  if (!check.validated) {
    post({ type: 'problems', problems: check.problems });
    return;
  }
  const { definition, plans } = check.validated;
  const seed = definition.seed ?? 0;
  const artifacts: Artifacts = {};
  const baselines: RunResult['baselines'] = [];
  let parameters = 0;
  const emit = (event: PipelineEvent): void => {
    if (event.type === 'train-start') parameters = event.parameters;
    post({ type: 'event', event });
  };
  let stream: Observable<unknown> = EMPTY;
  for (const plan of plans) {
    const { stage: _name, ...options } = definition.stages[plan.index];
    const ctx: StageContext = { baseDir: '/', runDir: null, seed, name: definition.name, path: `/stages/${plan.index}`, task: plan.task, artifacts, emit };
    stream = plan.stage.create(options, ctx)(stream).pipe(
      tap((value: unknown) => {
        // Keep the model as soon as it exists: stop, sampling and weights use it.
        if (value && typeof value === 'object' && 'model' in value && 'data' in value) current = { name: definition.name, bundle: value as ModelBundle, artifacts };
        // A language model's data, batched: the bigram baseline (add-1, fitted on the training
        // split, as the baselines stage computes it) is the line the live plot shows from the start.
        else if (plan.stage.category === 'batch' && value && typeof value === 'object' && 'samples' in value && (value as PreparedData).task === 'language-model') {
          const baseline = computeBaseline(value as PreparedData, 'bigram', { addK: 1 }, ['validation']);
          const metrics = baseline.metrics.validation;
          if (metrics) emit({ type: 'baseline', name: 'bigram', split: 'validation', metrics });
        }
      }),
    );
  }
  let last: unknown;
  const finish = (stopped: boolean): void => {
    const bundle = (last ?? current?.bundle) as Partial<EvaluatedBundle> | undefined;
    const result: RunResult = { task: current?.bundle.data.task ?? 'unknown', metrics: {}, baselines, parameters, stopped };
    if (bundle && 'metrics' in bundle && bundle.metrics) result.metrics = bundle.metrics as RunResult['metrics'];
    for (const b of bundle?.baselines ?? []) result.baselines.push({ name: b.name, metrics: b.metrics as RunResult['baselines'][number]['metrics'] });
    if (bundle?.generated) {
      result.samples = bundle.generated.examples;
      result.novel = bundle.generated.novel;
    } else if (stopped && current && current.bundle.data.task === 'language-model') {
      result.samples = sampleCurrent(10, 0.8);
    }
    if (bundle && 'metrics' in bundle && current?.bundle.data.task === 'forecast') {
      const series = seriesComparison(bundle as EvaluatedBundle, 'test');
      if (series) result.series = series;
    }
    post({ type: 'result', result });
  };
  running = stream.subscribe({
    next: (value) => (last = value),
    error: (e) => {
      running = null;
      post(errorMessage(e));
    },
    complete: () => {
      running = null;
      finish(false);
    },
  });
  stopRun = () => {
    if (!running) return;
    running.unsubscribe();
    running = null;
    finish(true);
  };
}

let stopRun: () => void = () => undefined;

/** Texts sampled from the current model (language models). */
function sampleCurrent(count: number, temperature: number): string[] {
  if (!current) throw new PlaygroundError('PLAYGROUND_NO_MODEL', 'no model yet: train a definition or drop a .safetensors file first');
  const vocabulary = current.artifacts.vocabulary;
  if (!vocabulary) throw new PlaygroundError('PLAYGROUND_NOT_LM', `the model of '${current.name}' is not a language model (no vocabulary): it cannot sample text`);
  return generateText(current.bundle.model, vocabulary, current.artifacts.tokenizer, { count, maxLength: 30, temperature, seed: `${Date.now()}` });
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'train':
      await train(message.text);
      return;
    case 'stop':
      stopRun();
      post({ type: 'stopped' });
      return;
    case 'sample':
      post({ type: 'samples', samples: sampleCurrent(message.count, message.temperature), source: current?.name ?? '' });
      return;
    case 'weights': {
      if (!current) throw new PlaygroundError('PLAYGROUND_NO_MODEL', 'no model yet: train a definition first, or drop a .safetensors file');
      const { bytes, modelJson } = modelWeights(current.name, current.bundle.model, current.artifacts);
      const weights = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      post({ type: 'weights', weights, modelJson, name: current.name }, [weights]);
      return;
    }
    case 'load': {
      const loaded = loadWeights(new Uint8Array(message.weights), message.weightsName, message.modelJson, current ? { model: current.bundle.model, artifacts: current.artifacts, name: current.name } : null);
      const bundle = { ...(current?.bundle ?? {}), model: loaded.model } as ModelBundle;
      current = { name: loaded.name, bundle, artifacts: loaded.artifacts };
      const samples = loaded.artifacts.vocabulary ? sampleCurrent(10, 0.8) : [];
      post({ type: 'loaded', description: loaded.description, samples });
      return;
    }
    case 'race':
      running?.unsubscribe();
      await ensureData(['first-names']);
      running = runRace(registry, message, post, (sub) => (running = sub));
      stopRun = () => {
        running?.unsubscribe();
        running = null;
      };
      return;
  }
}

scope.onmessage = (event) => {
  handle(event.data).catch((e: unknown) => post(errorMessage(e)));
};

try {
  post({ type: 'ready', kernels: kernelReport() });
} catch (e) {
  post(errorMessage(e));
}
