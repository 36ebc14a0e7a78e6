import { CELL_KINDS, CellKind, ParameterBase, RecurrentModule, cellKindOf, directionsOf, parameterName } from '@loopflow/cells';
import { GraphBuilder } from './proto/graph';
import { OnnxError } from './errors';
import { weightData } from './weights';

/**
 * ONNX's operator for each cell kind, and the order of PyTorch's gate blocks in ONNX's:
 * `onnxBlocks[k]` is the PyTorch block that goes to ONNX position k.
 * - LSTM: PyTorch i, f, g, o; ONNX i, o, f, c -> [0, 3, 1, 2].
 * - GRU: PyTorch r, z, n; ONNX z, r, h -> [1, 0, 2], with `linear_before_reset = 1`
 *   (PyTorch's `n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`).
 * - RNN and IndRNN: one block; IndRNN's diagonal recurrence `w * h` is ONNX RNN's `R` as the
 *   diagonal matrix diag(w) (the products with its zeros add exact zeros: the same numbers).
 */
const ONNX_CELLS: Record<CellKind, { op: 'RNN' | 'LSTM' | 'GRU'; onnxBlocks: number[]; activation?: 'Tanh' | 'Relu' }> = {
  rnn_tanh: { op: 'RNN', onnxBlocks: [0], activation: 'Tanh' },
  rnn_relu: { op: 'RNN', onnxBlocks: [0], activation: 'Relu' },
  indrnn_tanh: { op: 'RNN', onnxBlocks: [0], activation: 'Tanh' },
  indrnn_relu: { op: 'RNN', onnxBlocks: [0], activation: 'Relu' },
  lstm: { op: 'LSTM', onnxBlocks: [0, 3, 1, 2] },
  gru: { op: 'GRU', onnxBlocks: [1, 0, 2] },
};

/** The values (graph names) a recurrent stack reads. */
export interface StackInputs {
  /** `[T, B, I]`, float32. */
  x: string;
  /** `[L*D, B, H]` or null for zeros. */
  h0: string | null;
  /** `[L*D, B, H]` (LSTM) or null for zeros. */
  c0: string | null;
  /** `[B]` int32, or null when every sequence is T steps long. */
  sequenceLens: string | null;
}

/** The values a recurrent stack gives. */
export interface StackOutputs {
  /** `[T, B, D*H]`: the last layer's output at every step, zeros past a sequence's length. */
  output: string;
  /** `[L*D, B, H]`: the state after each sequence's last real step (row layer*D + direction). */
  hn: string;
  /** `[L*D, B, H]` for an LSTM, else null. */
  cn: string | null;
}

/** The cell kind of a module, or `ONNX_INVALID_MODEL` when it is not a recurrent module. */
export function recurrentCellKind(module: RecurrentModule): CellKind {
  if (!module || typeof module !== 'object' || typeof module.kind !== 'string' || !module.config || typeof module.config !== 'object') {
    throw new OnnxError('ONNX_INVALID_MODEL', `onnx export: expected a recurrent module ({ kind, config, weight_ih_l0, ... } from createRecurrent()), received ${module === null ? 'null' : typeof module}`);
  }
  if (!['rnn', 'lstm', 'gru', 'indrnn'].includes(module.kind)) {
    throw new OnnxError('ONNX_UNSUPPORTED', `onnx export: recurrent kind ${JSON.stringify(module.kind)} is not exported; expected rnn, lstm, gru or indrnn`);
  }
  const { inputSize, hiddenSize, numLayers } = module.config;
  for (const [field, value] of Object.entries({ inputSize, hiddenSize, numLayers })) {
    if (!Number.isInteger(value) || (value as number) < 1) {
      throw new OnnxError('ONNX_INVALID_MODEL', `onnx export: ${module.kind} config.${field} is ${JSON.stringify(value)}; expected a positive integer`);
    }
  }
  return cellKindOf(module.kind, module.config);
}

/** One layer's weights in ONNX's layout: W `[D, G*H, I]`, R `[D, G*H, H]`, B `[D, 2*G*H]`. */
function layerWeights(module: RecurrentModule, where: string, cell: CellKind, layer: number): { W: Float32Array; R: Float32Array; B: Float32Array | null; inputWidth: number } {
  const { hiddenSize: H, bias } = module.config;
  const D = directionsOf(module.config);
  const { gates: G, diagonal } = CELL_KINDS[cell];
  const inputWidth = layer === 0 ? module.config.inputSize : D * H;
  const { onnxBlocks } = ONNX_CELLS[cell];
  const W = new Float32Array(D * G * H * inputWidth);
  const R = new Float32Array(D * G * H * H);
  const B = bias ? new Float32Array(D * 2 * G * H) : null;
  const param = (base: ParameterBase, dir: number, shape: number[]): Float32Array => {
    const name = parameterName(base, layer, dir === 1);
    return weightData(`${where}.${name}`, module[name], shape);
  };
  for (let dir = 0; dir < D; dir++) {
    const wih = param('weight_ih', dir, [G * H, inputWidth]);
    const whh = param('weight_hh', dir, diagonal ? [H] : [G * H, H]);
    const bih = bias ? param('bias_ih', dir, [G * H]) : null;
    const bhh = bias ? param('bias_hh', dir, [G * H]) : null;
    onnxBlocks.forEach((block, k) => {
      // rows [block*H, (block+1)*H) of PyTorch's matrices -> rows [k*H, (k+1)*H) of ONNX's
      W.set(wih.subarray(block * H * inputWidth, (block + 1) * H * inputWidth), (dir * G + k) * H * inputWidth);
      if (diagonal) {
        for (let j = 0; j < H; j++) R[(dir * G * H + j) * H + j] = whh[j];
      } else {
        R.set(whh.subarray(block * H * H, (block + 1) * H * H), (dir * G + k) * H * H);
      }
      if (B && bih && bhh) {
        B.set(bih.subarray(block * H, (block + 1) * H), dir * 2 * G * H + k * H);
        B.set(bhh.subarray(block * H, (block + 1) * H), dir * 2 * G * H + G * H + k * H);
      }
    });
  }
  return { W, R, B, inputWidth };
}

/**
 * Adds a recurrent stack to a graph: one ONNX RNN / LSTM / GRU node per layer (both
 * directions in one node), each layer's `Y` `[T, D, B, H]` made `[T, B, D*H]` (Transpose +
 * Reshape) for the next layer and the output, the final states concatenated to `[L*D, B, H]`.
 * `where` names the module in errors.
 */
export function addRecurrentStack(g: GraphBuilder, module: RecurrentModule, inputs: StackInputs, where = module.kind): StackOutputs {
  const cell = recurrentCellKind(module);
  const { op, activation } = ONNX_CELLS[cell];
  const { hiddenSize: H, numLayers: L } = module.config;
  const D = directionsOf(module.config);
  const G = CELL_KINDS[cell].gates;
  const hasC = op === 'LSTM';
  const rowsOf = (state: string, layer: number): string =>
    g.op1('Slice', [state, g.int64s('start', [layer * D]), g.int64s('end', [(layer + 1) * D]), g.int64s('axis0', [0])], {}, `${state}_l${layer}`);
  // ONNX Runtime gives zeros as the final state of a sequence of length 0; loopflow (and
  // PyTorch) keep its initial state: [1, B, 1] true where a length is 0, to pick h0 there.
  const empty = inputs.sequenceLens && inputs.h0
    ? g.op1('Unsqueeze', [g.op1('Equal', [inputs.sequenceLens, g.scalar(0, 'int32')]), g.int64s('axes_0_2', [0, 2])], {}, 'empty_sequence')
    : null;
  const keepInitial = (final: string, initial: string): string => (empty ? g.op1('Where', [empty, initial, final], {}, `${final}_kept`) : final);
  let layerInput = inputs.x;
  const hns: string[] = [];
  const cns: string[] = [];
  for (let layer = 0; layer < L; layer++) {
    const { W, R, B, inputWidth } = layerWeights(module, where, cell, layer);
    const h0 = inputs.h0 ? rowsOf(inputs.h0, layer) : null;
    const c0 = hasC && inputs.c0 ? rowsOf(inputs.c0, layer) : null;
    const nodeInputs = [
      layerInput,
      g.floats(`W_l${layer}`, W, [D, G * H, inputWidth]),
      g.floats(`R_l${layer}`, R, [D, G * H, H]),
      B ? g.floats(`B_l${layer}`, B, [D, 2 * G * H]) : '',
      inputs.sequenceLens ?? '',
      h0 ?? '',
    ];
    if (hasC) nodeInputs.push(c0 ?? '');
    while (nodeInputs[nodeInputs.length - 1] === '') nodeInputs.pop(); // trailing optional inputs left out
    const attributes = {
      hidden_size: { int: H },
      direction: { string: D === 2 ? 'bidirectional' : 'forward' },
      ...(activation ? { activations: { strings: new Array(D).fill(activation) } } : {}),
      ...(op === 'GRU' ? { linear_before_reset: { int: 1 } } : {}),
    };
    const [Y, Yh, Yc] = g.op(op, nodeInputs, attributes, hasC ? 3 : 2, `${op.toLowerCase()}_l${layer}`);
    const perStep = g.op1('Transpose', [Y], { perm: { ints: [0, 2, 1, 3] } }); // [T, D, B, H] -> [T, B, D, H]
    layerInput = g.op1('Reshape', [perStep, g.int64s('shape_tb_', [0, 0, -1])], {}, `layer${layer}_output`); // [T, B, D*H]
    hns.push(h0 ? keepInitial(Yh, h0) : Yh);
    if (hasC) cns.push(c0 ? keepInitial(Yc, c0) : Yc);
  }
  const concatRows = (parts: string[], hint: string): string => (parts.length === 1 ? parts[0] : g.op1('Concat', parts, { axis: { int: 0 } }, hint));
  return { output: layerInput, hn: concatRows(hns, 'hn'), cn: hasC ? concatRows(cns, 'cn') : null };
}
