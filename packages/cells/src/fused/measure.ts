/**
 * Quick timing of the fused path against the composed one (not a test; not the shared bench).
 *
 *   npx ts-node packages/cells/src/fused/measure.ts [layer|train|stream|all] [--reps N]
 *
 * - layer: one layer-direction forward + backward (the runner alone: xProjected given, every
 *   gradient taken), T=64, B=32, H=128, per cell kind, fused vs composed.
 * - train: the char-LM training step of the bench (one-hot 64 -> 1 layer of 128 -> Linear 64,
 *   cross-entropy, Adam), fused vs composed. @loopflow/cells may not depend on the losses and
 *   optimizers packages, so this script writes the loss with tensor ops (logSoftmax of the
 *   logits times the one-hot targets) and Adam as a plain loop; `npm run bench -- cells` runs
 *   the real ones.
 * - stream: batch-1 LSTM `stepIndex`, one-hot 64 -> 128.
 * Figures are trained (or streamed) time steps per second: T * B / time of one step. Best of
 * several repetitions after a warm-up (V8 tiers WebAssembly up after the first calls).
 */
import { Random, Tensor, getBackendName, grad, logSoftmax, mul, noGrad, oneHot, reshape, sum } from '@loopflow/tensor';
import { createLinear, linear, parameters } from '@loopflow/layers';
import {
  CELL_KINDS, CellKindSpec, LayerDirectionResult, RecurrentModule, hasCellState, LayerRunner, createRecurrent, createStreamer, layerParams, runLayerDirection, runRecurrent,
  setLayerRunner,
} from '../index';
import { FORCE_SHARED, fusedKernelsInfo, fusedThreadLimit, fusedWaitForThreads } from './context';
import { fusedLayerRunner } from './runner';

const T = 64;
const B = 32;
const V = 64;
const H = 128;
const args = process.argv.slice(2);
const what = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a)) ?? 'all';
const repsAt = args.indexOf('--reps');
const REPS = repsAt >= 0 ? Number(args[repsAt + 1]) : 7;

function randn(rng: Random, shape: number[], requiresGrad = false): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = rng.normal() * 0.5;
  return new Tensor(d, shape, requiresGrad);
}

/** Best time in ms of `fn` over `reps` runs of `inner` calls each, after `warm` calls. */
function best(fn: () => void, reps = REPS, inner = 3, warm = 5): number {
  for (let i = 0; i < warm; i++) fn();
  let min = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    min = Math.min(min, (performance.now() - t0) / inner);
  }
  return min;
}

/**
 * Best time in ms of each of `fns`, run in turns (A B C A B C ...) so that the load of other
 * processes on this shared machine hits each alike; each gets `warm` calls first.
 */
function bestInTurns(fns: (() => void)[], reps = REPS * 3, warm = 3): number[] {
  for (const fn of fns) for (let i = 0; i < warm; i++) fn();
  const min = fns.map(() => Infinity);
  for (let r = 0; r < reps; r++) {
    fns.forEach((fn, i) => {
      const t0 = performance.now();
      fn();
      min[i] = Math.min(min[i], performance.now() - t0);
    });
  }
  return min;
}

const fmt = (ms: number): string => `${ms.toFixed(2).padStart(7)} ms  ${Math.round((T * B) / (ms / 1000)).toString().padStart(8)} steps/s`;

const CELLS: CellKindSpec[] = [CELL_KINDS.lstm, CELL_KINDS.gru, CELL_KINDS.rnn_tanh, CELL_KINDS.indrnn_relu];

/** A module of one layer of `cell`, one-hot V -> H. */
function moduleOf(cell: CellKindSpec, rng: Random): RecurrentModule {
  return createRecurrent(rng, { kind: cell.family, inputSize: V, hiddenSize: H, nonlinearity: cell.nonlinearity ?? undefined });
}

function layer(): void {
  console.log(`layer-direction forward+backward, T=${T} B=${B} H=${H} (xProjected given)`);
  for (const cell of CELLS) {
    const { kind: cellKind } = cell;
    const module = moduleOf(cell, new Random(1));
    const weights = layerParams(module, 0, false);
    const rng = new Random(2);
    const width = weights.weightIh.shape[0];
    const xProjected = randn(rng, [T, B, width], true);
    const h0 = randn(rng, [B, H], true);
    const c0 = hasCellState(cellKind) ? randn(rng, [B, H], true) : null;
    const gradOut = randn(rng, [T, B, H]);
    const wrt = [xProjected, h0, ...(c0 ? [c0] : []), weights.weightHh, ...(weights.biasHh ? [weights.biasHh] : [])];
    const runFused = (backward: boolean): void => {
      const call = (): LayerDirectionResult => fusedLayerRunner({ kind: cellKind, weights, xProjected, h0, c0, lengths: null, reverse: false }) as LayerDirectionResult;
      if (backward) grad(call().output, wrt, gradOut);
      else noGrad(call); // forward alone: no tape kept for a backward that never comes
    };
    const runComposed = (): void => {
      grad(runLayerDirection(cellKind, weights, xProjected, h0, c0, null, false).output, wrt, gradOut);
    };
    const limited = (threads: number, backward: boolean) => (): void => {
      fusedThreadLimit(threads);
      runFused(backward);
    };
    const [single, singleForward, fusedBoth, fusedForward, auto] = bestInTurns([
      limited(1, true), limited(1, false), limited(FORCE_SHARED, true), limited(FORCE_SHARED, false), limited(Infinity, true),
    ]);
    fusedThreadLimit(Infinity);
    const composed = best(runComposed, 3, 1, 1);
    console.log(`  ${cellKind.padEnd(11)} auto ${fmt(auto)} | 1 thread ${fmt(single)} (fwd ${singleForward.toFixed(2)}) | ${info?.threads ?? 1} threads ${fmt(fusedBoth)} (fwd ${fusedForward.toFixed(2)}) | composed ${fmt(composed)} | x${(composed / Math.min(single, fusedBoth)).toFixed(1)}`);
  }
}

/** Mean cross-entropy of `logits` `[T, B, V]` against one-hot `targets` (as the losses package computes it). */
function crossEntropy(logits: Tensor, targets: Tensor): Tensor {
  return mul(sum(mul(logSoftmax(logits, -1), targets)), -1 / (logits.size / logits.shape[2]));
}

/** Adam (lr 1e-3, betas 0.9 / 0.999, eps 1e-8) as one loop per parameter, like the optimizers package. */
function adam(params: Tensor[]): { zeroGrad(): void; step(): void } {
  const m = params.map((p) => new Float32Array(p.size));
  const v = params.map((p) => new Float32Array(p.size));
  let t = 0;
  return {
    zeroGrad: () => params.forEach((p) => (p.grad = null)),
    step(): void {
      t++;
      const c1 = 1 - 0.9 ** t;
      const c2 = 1 - 0.999 ** t;
      params.forEach((p, k) => {
        const g = p.grad?.data;
        if (!g) return;
        const w = p.data;
        for (let i = 0; i < w.length; i++) {
          m[k][i] = 0.9 * m[k][i] + 0.1 * g[i];
          v[k][i] = 0.999 * v[k][i] + 0.001 * g[i] * g[i];
          w[i] -= (1e-3 * (m[k][i] / c1)) / (Math.sqrt(v[k][i] / c2) + 1e-8);
        }
      });
    },
  };
}

function train(): void {
  console.log(`char-LM training step: one-hot ${V} -> ${H} -> Linear ${V}, T=${T} B=${B}, cross-entropy, Adam`);
  for (const cell of CELLS.slice(0, 3)) {
    const rng = new Random(3);
    const model = { recurrent: moduleOf(cell, rng), head: createLinear(rng, H, V) };
    const optimizer = adam(parameters(model));
    const tokens = Array.from({ length: (T + 1) * B }, (_, i) => (i * 7919) % V);
    const x = reshape(oneHot(tokens.slice(0, T * B), V), [T, B, V]);
    const targets = reshape(oneHot(tokens.slice(B), V), [T, B, V]);
    const step = (): void => {
      optimizer.zeroGrad();
      const { output } = runRecurrent(model.recurrent, x);
      const objective = crossEntropy(linear(model.head, output), targets);
      objective.backward();
      optimizer.step();
    };
    const previous: LayerRunner | null = setLayerRunner(fusedLayerRunner);
    const limited = (threads: number) => (): void => {
      fusedThreadLimit(threads);
      step();
    };
    const [single, shared, auto] = bestInTurns([limited(1), limited(FORCE_SHARED), limited(Infinity)]);
    setLayerRunner(null);
    const composed = best(step, 3, 1, 1);
    setLayerRunner(previous);
    console.log(`  ${cell.kind.padEnd(11)} fused: 1 thread ${fmt(single)} | 2 threads ${fmt(shared)} | auto ${fmt(auto)} | composed ${fmt(composed)} | x${(composed / Math.min(single, shared, auto)).toFixed(1)}`);
  }
}

function stream(): void {
  const lstm = createRecurrent(new Random(4), { kind: 'lstm', inputSize: V, hiddenSize: H });
  const streamer = createStreamer(lstm);
  const tokens = Array.from({ length: 4096 }, (_, i) => (i * 31) % V);
  let sink = 0;
  const run = (): void => {
    for (const token of tokens) sink += streamer.stepIndex(token)[0];
  };
  const ms = best(run, REPS, 1, 3);
  console.log(`batch-1 LSTM streaming (one-hot ${V} -> ${H}): ${((ms * 1000) / tokens.length).toFixed(2)} us/step, ${Math.round(tokens.length / (ms / 1000))} steps/s${Number.isFinite(sink) ? '' : ' (non-finite!)'}`);
}

const threadsReady = fusedWaitForThreads();
const info = fusedKernelsInfo();
console.log(`node ${process.version}, tensor backend ${getBackendName()}, fused build ${info?.variant ?? 'none'}, threads ${info?.threads ?? 0}${threadsReady ? ' (helper running)' : ''}`);
if (what === 'layer' || what === 'all') layer();
if (what === 'train' || what === 'all') train();
if (what === 'stream' || what === 'all') stream();
