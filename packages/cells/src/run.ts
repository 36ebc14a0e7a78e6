import { Random, Tensor, concat, fmtShape, mul, permute, stack, unbind, zeros } from '@loopflow/tensor';
import { dropoutMask } from '@loopflow/layers';
import { directionsOf } from './config';
import { CellError } from './errors';
import { hasCellState } from './kinds';
import { RecurrentModule, checkModule, layerParams, moduleCell } from './module';
import { CellParams } from './cells/operands';
import { lazyProjection, runLayer } from './layer-runner';
import { RecurrentState, checkState } from './state';
import { checkLengths, lengthsFromMask } from './lengths';
import { TokenIds, projectTokens, readTokenIds } from './token-input';

export type { TokenIds } from './token-input';
export { projectTokens } from './token-input';

/** Options of {@link runRecurrent}. */
export interface RunOptions {
  /** The state to start from, PyTorch layout `{ h: [L*D, B, H], c?: [L*D, B, H] }`; zeros when absent. */
  initialState?: RecurrentState;
  /** Real steps per batch element (padding trails); padded steps keep the state and output zeros. */
  lengths?: readonly number[];
  /** Instead of `lengths`: 1 for real steps, 0 for trailing padding; `[T, B]` (`[B, T]` when batchFirst). */
  mask?: Tensor;
  /** Apply `config.dropout` between layers (default false). */
  training?: boolean;
  /** The seeded generator of dropout masks (required when training with dropout > 0 and 2+ layers). */
  rng?: Random;
  /** Return the state tensor after every step of every layer and direction (for `grad`). */
  keepHiddenStates?: boolean;
}

/** The per-step state tensors of one layer and direction (see `RunOptions.keepHiddenStates`). */
export interface HiddenStateTrace {
  layer: number;
  direction: 'forward' | 'backward';
  /** The state `h_t` after step t, in time order: T x `[B, H]`. */
  states: Tensor[];
}

/** What {@link runRecurrent} returns. */
export interface RecurrentResult {
  /** The last layer's output at every step: `[T, B, D*H]` (`[B, T, D*H]` when batchFirst); zero at padding. */
  output: Tensor;
  /** The final state, same layout as the initial state (`[L*D, B, H]`). */
  state: RecurrentState;
  /** Present when `keepHiddenStates`: one trace per layer and direction. */
  hiddenStates?: HiddenStateTrace[];
}

/**
 * Runs a recurrent stack over a batch of sequences: the composed (reference) path.
 *
 * `x` `[T, B, I]` (`[B, T, I]` with `config.batchFirst`). For each layer and direction the
 * input projection of all steps is one product `[T*B, I] @ W_ih^T`; each step does only the
 * recurrent product. Layer k+1 reads layer k's output (`[fwd, bwd]`, 2H wide when
 * bidirectional), with dropout between layers when `training`. Full BPTT is `backward()`
 * through the result. For one-hot input (token ids), {@link runRecurrentTokens} gives the same
 * result without the one-hot product.
 *
 * @example
 * const lstm = createLSTM(new Random(0), { inputSize: 3, hiddenSize: 8, numLayers: 2 });
 * const { output, state } = runRecurrent(lstm, x);            // x [T, B, 3] -> [T, B, 8]
 * const next = runRecurrent(lstm, x2, { initialState: state }); // carry the state on
 */
export function runRecurrent(module: RecurrentModule, x: Tensor, options: RunOptions = {}): RecurrentResult {
  const dtype = checkModule(module);
  const { config, kind } = module;
  if (!(x instanceof Tensor) || x.ndim !== 3 || x.shape[2] !== config.inputSize) {
    const layout = config.batchFirst ? `[B,T,${config.inputSize}]` : `[T,B,${config.inputSize}]`;
    throw new CellError('INPUT_SHAPE', `${kind}: x has shape ${x instanceof Tensor ? fmtShape(x.shape) : typeof x}, expected ${layout} (inputSize ${config.inputSize}${config.batchFirst ? ', batchFirst' : ''}); add a batch dimension of 1 for a single sequence`);
  }
  if (x.dtype !== dtype) {
    throw new CellError('INPUT_SHAPE', `${kind}: x is ${x.dtype} but the parameters are ${dtype}; convert it with .to('${dtype}')`);
  }
  const input = config.batchFirst ? permute(x, [1, 0, 2]) : x; // [T, B, I]
  const [timeSteps, batch] = input.shape;
  checkNotEmpty(kind, 'x', x.shape, timeSteps, batch);
  return runStack(module, dtype, timeSteps, batch, () => ({ input }), options);
}

/**
 * {@link runRecurrent} on token ids instead of one-hot vectors: the same result as
 * `runRecurrent(module, oneHot(ids, inputSize), options)` (to float32 rounding, gradients
 * included), at a fraction of the cost. The first layer's input projection is a row gather
 * from `W_ih` plus `b_ih` instead of the product `[T*B, V] @ W_ih^T`, and its gradient
 * scatter-adds into `dW_ih` (one autograd node, see `projectTokens`); every other part
 * (layers above, directions, lengths and masks, dropout, the fused kernels) is shared with
 * `runRecurrent`.
 *
 * `tokens`: `[T, B]` ids in `[0, inputSize)` (`[B, T]` with `config.batchFirst`), as a tensor
 * of whole numbers or `{ ids, shape }` (see {@link TokenIds}). The output is `[T, B, D*H]`
 * (`[B, T, D*H]` when batchFirst) in the parameters' dtype.
 *
 * @example
 * const lstm = createLSTM(new Random(0), { inputSize: 64, hiddenSize: 128 }); // vocabulary of 64
 * const { output } = runRecurrentTokens(lstm, { ids: tokenIds, shape: [T, B] }); // -> [T, B, 128]
 * const same = runRecurrent(lstm, reshape(oneHot(tokenIds, 64), [T, B, 64]));   // equal, slower
 */
export function runRecurrentTokens(module: RecurrentModule, tokens: TokenIds, options: RunOptions = {}): RecurrentResult {
  const dtype = checkModule(module);
  const { config, kind } = module;
  const grid = readTokenIds(kind, tokens, config.inputSize, config.batchFirst);
  checkNotEmpty(kind, 'token ids', tokens.shape, grid.timeSteps, grid.batch);
  const leading = [grid.timeSteps, grid.batch];
  return runStack(module, dtype, grid.timeSteps, grid.batch, (weights) => ({ xProjected: projectTokens(weights, grid.ids, leading) }), options);
}

function checkNotEmpty(kind: string, what: string, shape: readonly number[], timeSteps: number, batch: number): void {
  if (timeSteps === 0 || batch === 0) {
    throw new CellError('INPUT_SHAPE', `${kind}: ${what} has shape ${fmtShape(shape)}, an empty ${timeSteps === 0 ? 'sequence (T = 0)' : 'batch (B = 0)'}; pass at least one step of one sequence`);
  }
}

/**
 * The stack of {@link runRecurrent} and {@link runRecurrentTokens}: every layer and direction,
 * with `projectFirst(weights)` giving the first layer's dense input `[T, B, I]` (`{ input }`)
 * or its projected input `[T, B, G*H]` (`{ xProjected }`); layers above read the layer
 * below's output as their dense input.
 */
function runStack(
  module: RecurrentModule,
  dtype: 'float32' | 'float64',
  timeSteps: number,
  batch: number,
  projectFirst: (weights: CellParams) => { input: Tensor } | { xProjected: Tensor },
  options: RunOptions,
): RecurrentResult {
  const { config, kind } = module;
  const cell = moduleCell(module);
  const carriesC = hasCellState(cell.kind);
  const lengths = resolveLengths(kind, options, batch, timeSteps, config.batchFirst);

  const directions = directionsOf(config);
  const rows = config.numLayers * directions;
  let h0s: Tensor[];
  let c0s: Tensor[] | null = null;
  if (options.initialState) {
    checkState(module, options.initialState, batch, dtype);
    h0s = unbind(options.initialState.h, 0); // L*D x [B, H]
    if (carriesC) c0s = unbind(options.initialState.c as Tensor, 0);
  } else {
    const zero = zeros([batch, config.hiddenSize], { dtype });
    h0s = new Array(rows).fill(zero);
    if (carriesC) c0s = new Array(rows).fill(zero);
  }

  const training = options.training ?? false;
  if (training && config.dropout > 0 && config.numLayers > 1 && !options.rng) {
    throw new CellError('INVALID_ARGUMENT', `${kind}: training with dropout ${config.dropout} between layers needs a seeded generator; pass { rng: new Random(seed) }`);
  }
  const hn: Tensor[] = [];
  const cn: Tensor[] = [];
  const traces: HiddenStateTrace[] = [];
  let layerInput: Tensor | null = null; // null for the first layer, then [T, B, D*H]
  for (let layer = 0; layer < config.numLayers; layer++) {
    const outputs: Tensor[] = [];
    for (let dir = 0; dir < directions; dir++) {
      const reverse = dir === 1;
      const weights = layerParams(module, layer, reverse);
      const row = layer * directions + dir;
      const h0 = h0s[row];
      const c0 = c0s ? c0s[row] : null;
      const base = { kind: cell.kind, weights, h0, c0, lengths, reverse };
      // The input projection [T, B, G*H], one large product over all steps: left to the runner
      // for a dense input (the fused kernels do it inside their call; see lazyProjection), or
      // the first layer's own projection (token ids).
      const source = layerInput ? { input: layerInput } : projectFirst(weights);
      const args = 'input' in source ? lazyProjection(base, source.input) : { ...base, xProjected: source.xProjected };
      const result = runLayer(args, options.keepHiddenStates);
      outputs.push(result.output);
      hn.push(result.h);
      if (result.c) cn.push(result.c);
      if (result.hiddenStates) traces.push({ layer, direction: reverse ? 'backward' : 'forward', states: result.hiddenStates });
    }
    let next = directions === 2 ? concat(outputs, 2) : outputs[0]; // [T, B, D*H]
    if (training && config.dropout > 0 && layer < config.numLayers - 1) {
      next = mul(next, dropoutMask(options.rng as Random, next.shape.slice(), config.dropout, dtype));
    }
    layerInput = next;
  }
  const last = layerInput as Tensor;
  const output = config.batchFirst ? permute(last, [1, 0, 2]) : last;
  const state: RecurrentState = carriesC ? { h: stack(hn, 0), c: stack(cn, 0) } : { h: stack(hn, 0) };
  return options.keepHiddenStates ? { output, state, hiddenStates: traces } : { output, state };
}

function resolveLengths(kind: string, options: RunOptions, batch: number, timeSteps: number, batchFirst: boolean): number[] | null {
  if (options.lengths && options.mask) {
    throw new CellError('INVALID_ARGUMENT', `${kind}: both lengths and mask were given; pass one of them`);
  }
  if (options.mask) {
    const expected = batchFirst ? [batch, timeSteps] : [timeSteps, batch];
    if (options.mask.ndim !== 2 || options.mask.shape[0] !== expected[0] || options.mask.shape[1] !== expected[1]) {
      throw new CellError('INVALID_LENGTHS', `${kind}: mask has shape ${fmtShape(options.mask.shape)}, expected ${fmtShape(expected)} (${batchFirst ? '[B, T]' : '[T, B]'}, like x)`);
    }
    return checkLengths(kind, lengthsFromMask(options.mask, batchFirst), batch, timeSteps);
  }
  if (options.lengths) return checkLengths(kind, options.lengths, batch, timeSteps);
  return null;
}
