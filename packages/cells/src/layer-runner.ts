import { Tensor } from '@loopflow/tensor';
import { CellKind } from './kinds';
import { CellParams, projectInput } from './cells/operands';
import { LayerDirectionResult, runLayerDirection } from './layer-direction';
import { StackStream, StackStreamArgs, referenceStream } from './stack-stream';

/** Arguments a layer runner receives: those of {@link runLayerDirection}, and the layer's input. */
export interface LayerRunnerArgs {
  kind: CellKind;
  weights: CellParams;
  /**
   * The projected input `[T, B, G*H]` (`x @ W_ih^T + b_ih`). When `input` is given it may be
   * a getter that computes the projection on first read (see {@link lazyProjection}): a runner
   * that projects `input` itself does not read it.
   */
  readonly xProjected: Tensor;
  /**
   * The layer's dense input `[T, B, I]` that `xProjected` projects, when the driver has one
   * (`runRecurrent`; not the first layer of `runRecurrentTokens`); absent or null otherwise.
   */
  input?: Tensor | null;
  h0: Tensor;
  c0: Tensor | null;
  lengths: readonly number[] | null;
  reverse: boolean;
}

/**
 * Runner arguments for a dense input: `xProjected` is a getter that runs `projectInput` on
 * first read (once), so a runner that projects `input` itself (the fused kernels) skips the
 * product, and any other runner, or the composed path, sees the projection as before.
 *
 * @example runLayer(lazyProjection({ kind: 'gru', weights, h0, c0: null, lengths: null, reverse: false }, x))
 */
export function lazyProjection(args: Omit<LayerRunnerArgs, 'xProjected' | 'input'>, input: Tensor): LayerRunnerArgs {
  let projected: Tensor | null = null;
  return {
    ...args,
    input,
    get xProjected(): Tensor {
      projected ??= projectInput(args.weights, input); // [T, B, G*H]
      return projected;
    },
  };
}

/**
 * A replacement for {@link runLayerDirection} (a fused kernel): returns the result, or null
 * to decline (unsupported kind, shape or dtype), in which case the composed path runs.
 * It may also offer batch-1 streams (`stream`), declining the same way (null: the streamer
 * runs the plain-loop reference).
 */
export interface LayerRunner {
  (args: LayerRunnerArgs): LayerDirectionResult | null;
  stream?(args: StackStreamArgs): StackStream | null;
}

/** The installed runner; undefined until the default is decided (on first use, not at import). */
let layerRunner: LayerRunner | null | undefined;
/** Decides the default runner on first use (e.g. from the environment); none: no runner. */
let defaultRunner: (() => LayerRunner | null) | undefined;

/** The installed runner, deciding the default on first use. */
function installed(): LayerRunner | null {
  if (layerRunner === undefined) layerRunner = defaultRunner ? defaultRunner() : null;
  return layerRunner;
}

/**
 * Installs a fused layer runner that `runRecurrent` and `createStreamer` try before the
 * reference paths (null removes it). Returns the runner installed before.
 *
 * @example const previous = setLayerRunner(null); ... setLayerRunner(previous);
 */
export function setLayerRunner(runner: LayerRunner | null): LayerRunner | null {
  const previous = installed();
  layerRunner = runner;
  return previous;
}

/**
 * Sets how the default runner is chosen when no `setLayerRunner` call came first: `decide` runs
 * on first use (so a module may register it at import without reading the environment then).
 * @internal the fused path registers itself this way (fused/index.ts).
 */
export function setDefaultLayerRunner(decide: () => LayerRunner | null): void {
  defaultRunner = decide;
}

/** The installed fused layer runner, or null. */
export function getLayerRunner(): LayerRunner | null {
  return installed();
}

/**
 * One layer and direction, as every driver runs it: the installed runner if it takes the
 * call, else the composed path (`runLayerDirection`), which also runs whenever the per-step
 * hidden states are wanted.
 *
 * @example runLayer({ kind: 'lstm', weights, xProjected, h0, c0, lengths: null, reverse: false }).output // [T, B, H]
 */
export function runLayer(args: LayerRunnerArgs, keepHiddenStates = false): LayerDirectionResult {
  const runner = keepHiddenStates ? null : installed();
  const taken = runner ? runner(args) : null;
  return taken ?? runLayerDirection(args.kind, args.weights, args.xProjected, args.h0, args.c0, args.lengths, args.reverse, { keepHiddenStates });
}

/**
 * A stream for a streamer, chosen the same way: the installed runner's if it offers one, else
 * the plain-loop reference.
 *
 * @example const stream = openStackStream({ kind: 'gru', layers: 2, inputSize: 8, hiddenSize: 16, dtype: 'float32' });
 */
export function openStackStream(args: StackStreamArgs): StackStream {
  return installed()?.stream?.(args) ?? referenceStream(args);
}
