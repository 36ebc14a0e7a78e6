/**
 * What the browser tests run inside Chromium, in a page and in its Web Workers: the packages
 * that run in a page, bundled by esbuild with its default options (tools/browser/bundle.ts).
 *
 * - {@link environment}: the globals the bundle found (no Node ones), isolation, threads;
 * - {@link checkKernels}: a matrix product on the WebAssembly backend against a plain loop, and
 *   an LSTM forward and backward through the fused kernels against the composed path;
 * - {@link trainCharLm}: a character LM (LSTM, Linear head, cross-entropy, Adam) trained by
 *   @loopflow/training's `train` on a short repeated text, full BPTT;
 * - {@link trainWithoutYielding}: the same model trained by a plain synchronous loop for a while
 *   (what a page must not do on its main thread: the browser tests' control).
 *
 * Every import is by package name, as a user's page has it. @loopflow/data's operators are
 * bundled apart, file by file (see packages.browser.spec.ts: its index does not bundle for a
 * page, csv-parse's main entry importing Node's stream).
 */
import * as tensor from '@loopflow/tensor';
import * as layers from '@loopflow/layers';
import * as cells from '@loopflow/cells';
import * as attention from '@loopflow/attention';
import * as losses from '@loopflow/losses';
import * as optimizers from '@loopflow/optimizers';
import * as training from '@loopflow/training';
import { lastValueFrom, toArray } from 'rxjs';

/** Exports of every package the page loaded (so that none is dropped from the bundle). */
export function loadedExports(): Record<string, number> {
  const modules = { tensor, layers, cells, attention, losses, optimizers, training };
  return Object.fromEntries(Object.entries(modules).map(([name, m]) => [name, Object.keys(m).length]));
}

/** Globals of Node that a page must not get from the bundle. */
const NODE_GLOBALS = ['process', 'require', 'Buffer', 'global', 'module', 'exports', '__dirname', '__filename', 'setImmediate'];

/** Where this code runs and what it may use. */
export interface Environment {
  /** Node globals present (none in a browser). */
  nodeGlobals: string[];
  /** `crossOriginIsolated` of this context. */
  isolated: boolean;
  /** Whether this thread may block in Atomics.wait (a worker yes, the page's main thread no). */
  canBlock: boolean;
  /** Threads the kernels are configured for here. */
  threads: number;
  /** Why there are no helper threads here, or null. */
  noThreadsBecause: string | null;
  hardwareConcurrency: number;
}

export function environment(): Environment {
  const g = globalThis as unknown as Record<string, unknown> & { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  return {
    nodeGlobals: NODE_GLOBALS.filter((name) => typeof g[name] !== 'undefined'),
    isolated: g.crossOriginIsolated === true,
    canBlock: tensor.canBlock(),
    threads: tensor.configuredThreads(),
    noThreadsBecause: tensor.webThreadsUnavailable(),
    hardwareConcurrency: g.navigator?.hardwareConcurrency ?? 0,
  };
}

/** What {@link checkKernels} found. */
export interface KernelCheck {
  backend: string;
  backendThreads: number;
  fused: { variant: string; threads: number; helperItems: number } | null;
  /** Whether the fused runner is the default layer runner. */
  defaultRunner: boolean;
  /** LSTM layer calls the fused runner took (the rest ran the composed path). */
  fusedCalls: number;
  matmulError: number;
  lstmError: number;
  gradError: number;
}

/** Largest absolute difference of two arrays. */
function worst(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let diff = 0;
  for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]));
  return diff;
}

/** The WebAssembly backend and the fused LSTM kernels, each checked against an independent path. */
export function checkKernels(): KernelCheck {
  const { Random, matmul, sum, uniform } = tensor;
  tensor.setBackend('wasm');
  const rng = new Random(7);
  const a = uniform(rng, [33, 17], -1, 1);
  const b = uniform(rng, [17, 9], -1, 1);
  const c = matmul(a, b);
  const want = new Float64Array(33 * 9);
  for (let i = 0; i < 33; i++) for (let j = 0; j < 9; j++) for (let k = 0; k < 17; k++) want[i * 9 + j] += a.data[i * 17 + k] * b.data[k * 9 + j];

  let fusedCalls = 0;
  const counting: cells.LayerRunner = (args) => {
    const result = cells.fusedLayerRunner(args);
    if (result) fusedCalls++;
    return result;
  };
  const defaultRunner = cells.getLayerRunner() === cells.fusedLayerRunner;
  const lstm = cells.createLSTM(new Random(3), { inputSize: 5, hiddenSize: 8 });
  const x = uniform(new Random(4), [6, 2, 5], -1, 1); // [T, B, I]
  const run = (runner: cells.LayerRunner | null): { out: Float32Array; grad: Float32Array } => {
    const previous = cells.setLayerRunner(runner);
    try {
      for (const [, p] of cells.recurrentParameters(lstm)) p.grad = null;
      const { output } = cells.runRecurrent(lstm, x); // [T, B, H]
      sum(output).backward();
      return { out: Float32Array.from(output.data), grad: Float32Array.from(cells.parameterOf(lstm, 'weight_hh_l0').grad!.data) };
    } finally {
      cells.setLayerRunner(previous);
    }
  };
  const fused = run(counting);
  const composed = run(null);
  return {
    backend: tensor.getBackendName(),
    backendThreads: tensor.getBackendThreads(),
    fused: cells.fusedKernelsInfo(),
    defaultRunner,
    fusedCalls,
    matmulError: worst(c.data, want),
    lstmError: worst(fused.out, composed.out),
    gradError: worst(fused.grad, composed.grad),
  };
}

/** Options of {@link trainCharLm}. */
export interface CharLmOptions {
  /** Hidden units of the LSTM. */
  hidden: number;
  /** Time steps per sequence (full BPTT over them). */
  steps: number;
  /** Sequences per batch. */
  batch: number;
  /** Optimizer steps. */
  updates: number;
}

/** What {@link trainCharLm} measured. */
export interface CharLmResult {
  vocab: number;
  firstLoss: number;
  lastLoss: number;
  updates: number;
  ms: number;
  backend: string;
  backendThreads: number;
  fused: { variant: string; threads: number; helperItems: number } | null;
}

const TEXT = 'the quick brown fox jumps over the lazy dog. '.repeat(40);

/**
 * Trains a character LM on a short repeated text with @loopflow/training (full BPTT, Adam);
 * returns the first and last losses.
 */
export async function trainCharLm(options: CharLmOptions): Promise<CharLmResult> {
  const { batches, V, model } = await charLmSetup(options);
  const started = performance.now();
  const events = await lastValueFrom(
    training.train({
      model,
      forward: (m, b: CharLmBatch) => ({ loss: charLmLoss(m, b) }),
      optimizer: (params) => optimizers.adam(params, { lr: 1e-2 }),
      trainBatches: () => batches,
      epochs: 1,
      seed: 1,
    }).pipe(toArray()),
  );
  const ms = performance.now() - started;
  const stepLosses = events.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
  return {
    vocab: V,
    firstLoss: stepLosses[0],
    lastLoss: stepLosses[stepLosses.length - 1],
    updates: stepLosses.length,
    ms,
    backend: tensor.getBackendName(),
    backendThreads: tensor.getBackendThreads(),
    fused: cells.fusedKernelsInfo(),
  };
}

/**
 * Trains the model of {@link trainCharLm} in one synchronous loop (forward, backward, Adam) for
 * at least `ms` milliseconds, cycling over its batches; returns the optimizer steps taken.
 */
export async function trainWithoutYielding(options: CharLmOptions, ms: number): Promise<number> {
  const { batches, model } = await charLmSetup(options);
  const optimizer = optimizers.adam(layers.parameters(model), { lr: 1e-2 });
  const started = performance.now();
  let steps = 0;
  while (performance.now() - started < ms) {
    optimizer.zeroGrad();
    charLmLoss(model, batches[steps % batches.length]).backward();
    optimizer.step();
    steps++;
  }
  return steps;
}

/** A batch of the char LM: one-hot inputs `[T, B, V]`, target ids `[T, B]`. */
interface CharLmBatch {
  inputs: tensor.Tensor;
  targets: Int32Array;
}

/** The char LM: an LSTM and a Linear head. */
interface CharLm {
  lstm: cells.RecurrentModule;
  head: layers.LinearModule;
}

/** Mean cross-entropy of the next character over the batch. */
function charLmLoss(m: CharLm, b: CharLmBatch): tensor.Tensor {
  const { output } = cells.runRecurrent(m.lstm, b.inputs); // [T, B, H]
  return losses.crossEntropy(layers.linear(m.head, output), b.targets); // logits [T, B, V]
}

/** The text cut into `options.updates` batches of random windows, and a fresh model. */
async function charLmSetup(options: CharLmOptions): Promise<{ batches: CharLmBatch[]; V: number; model: CharLm }> {
  const { Random, oneHot, reshape } = tensor;
  const symbols = [...new Set(TEXT)];
  const ids = Int32Array.from(TEXT, (ch) => symbols.indexOf(ch));
  const V = symbols.length;
  const { steps, batch } = options;
  const rng = new Random(11);
  /** `batch` windows at random offsets, time-major: inputs one-hot [T, B, V], targets ids [T, B]. */
  const makeBatch = (): CharLmBatch => {
    const inputIds = new Int32Array(steps * batch);
    const targets = new Int32Array(steps * batch);
    for (let b = 0; b < batch; b++) {
      const start = Math.floor(rng.next() * (ids.length - steps - 1));
      for (let t = 0; t < steps; t++) {
        inputIds[t * batch + b] = ids[start + t];
        targets[t * batch + b] = ids[start + t + 1];
      }
    }
    return { inputs: reshape(oneHot(inputIds, V), [steps, batch, V]), targets };
  };
  const batches = Array.from({ length: options.updates }, makeBatch);
  const model = { lstm: cells.createLSTM(new Random(1), { inputSize: V, hiddenSize: options.hidden }), head: layers.createLinear(new Random(2), options.hidden, V) };
  return { batches, V, model };
}
