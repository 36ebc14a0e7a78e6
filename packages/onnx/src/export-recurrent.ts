import { CELL_KINDS, RecurrentModule, directionsOf } from '@loopflow/cells';
import { GraphBuilder } from './proto/graph';
import { ExportOnnxOptions } from './options';
import { addRecurrentStack, recurrentCellKind } from './recurrent';

/**
 * The graph of a recurrent module alone (see `exportOnnx`): inputs `x` `[T, B, I]`
 * (`[B, T, I]` when `config.batchFirst`), optionally `h0`, `c0` `[L*D, B, H]` and
 * `sequence_lens` `[B]` int32; outputs `output` `[T, B, D*H]` (`[B, T, D*H]` when batchFirst),
 * `hn` `[L*D, B, H]`, and `cn` for an LSTM.
 */
export function recurrentModuleGraph(module: RecurrentModule, options: ExportOnnxOptions): GraphBuilder {
  const cell = recurrentCellKind(module);
  const { inputSize: I, hiddenSize: H, numLayers: L, batchFirst } = module.config;
  const D = directionsOf(module.config);
  const hasC = CELL_KINDS[cell].stateParts.includes('c');
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', batchFirst ? ['B', 'T', I] : ['T', 'B', I], batchFirst ? 'input [B, T, I]' : 'input [T, B, I]');
  const h0 = options.initialState ? g.input('h0', 'float32', [L * D, 'B', H], 'initial hidden state [L*D, B, H]') : null;
  const c0 = options.initialState && hasC ? g.input('c0', 'float32', [L * D, 'B', H], 'initial cell state [L*D, B, H]') : null;
  const lens = options.sequenceLens ? g.input('sequence_lens', 'int32', ['B'], 'real steps per sequence [B]; padding trails') : null;
  const timeMajor = batchFirst ? g.op1('Transpose', [x], { perm: { ints: [1, 0, 2] } }, 'x_tbi') : x; // [T, B, I]
  const stack = addRecurrentStack(g, module, { x: timeMajor, h0, c0, sequenceLens: lens });
  const output = batchFirst ? g.op1('Transpose', [stack.output], { perm: { ints: [1, 0, 2] } }, 'output_btf') : stack.output;
  g.output(output, 'output', 'float32', batchFirst ? ['B', 'T', D * H] : ['T', 'B', D * H], 'the last layer output at every step; zeros past a sequence length');
  g.output(stack.hn, 'hn', 'float32', [L * D, 'B', H], 'final hidden state [L*D, B, H], row layer*D + direction');
  if (stack.cn) g.output(stack.cn, 'cn', 'float32', [L * D, 'B', H], 'final cell state [L*D, B, H]');
  return g;
}
