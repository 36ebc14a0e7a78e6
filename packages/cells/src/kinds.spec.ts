import * as fs from 'fs';
import * as path from 'path';
import { Random, Tensor } from '@loopflow/tensor';
import {
  CELL_KINDS, RECURRENT_KINDS, cellKindOf, cellParameterShapes, createRecurrent, familyDefault, layerParams, prepareRecurrent, projectInput,
  recurrentStep,
} from './index';
import {
  K_GRU_BACKWARD, K_GRU_FORWARD, K_LSTM_BACKWARD, K_LSTM_FORWARD, K_RNN_BACKWARD, K_RNN_FORWARD, K_STREAM, MODE_DIAGONAL, MODE_PANELS, MODE_RELU,
  STREAM_GRU, STREAM_LSTM, STREAM_RNN,
} from './kinds';
import { KIND_CASES, maxAbsDiff, randn } from './test-helpers';

describe('the table of cell kinds', () => {
  it('names every cell of every layer family, the family default first', () => {
    expect(RECURRENT_KINDS).toEqual(['rnn', 'lstm', 'gru', 'indrnn']);
    expect(RECURRENT_KINDS.map((family) => familyDefault(family).kind)).toEqual(['rnn_tanh', 'lstm', 'gru', 'indrnn_relu']);
    expect(cellKindOf('rnn', { nonlinearity: 'relu' })).toBe('rnn_relu');
    expect(cellKindOf('indrnn', { nonlinearity: 'tanh' })).toBe('indrnn_tanh');
    expect(cellKindOf('indrnn', {})).toBe('indrnn_relu');
    for (const [kind, family, nonlinearity] of KIND_CASES) expect(cellKindOf(family, { nonlinearity })).toBe(kind);
    expect(() => familyDefault('elman' as never)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it("gives PyTorch's parameter shapes (nn.GRU(8, 16): weight_ih [48, 8], weight_hh [48, 16]; IndRNN: weight_hh [H])", () => {
    expect(cellParameterShapes('gru', 8, 16, true)).toEqual([['weight_ih', [48, 8]], ['weight_hh', [48, 16]], ['bias_ih', [48]], ['bias_hh', [48]]]);
    expect(cellParameterShapes('lstm', 3, 5, false)).toEqual([['weight_ih', [20, 3]], ['weight_hh', [20, 5]]]);
    expect(cellParameterShapes('indrnn_tanh', 3, 5, true)).toEqual([['weight_ih', [5, 3]], ['weight_hh', [5]], ['bias_ih', [5]], ['bias_hh', [5]]]);
  });

  // The kernels' codes are the WebAssembly ABI: they must be those the assembly sources define.
  it('holds the same kernel codes, mode bits and stream codes as packages/cells/assembly', () => {
    const assembly = path.join(__dirname, '..', 'assembly');
    const defined = new Map<string, number>();
    for (const file of fs.readdirSync(assembly).filter((f) => f.endsWith('.ts'))) {
      for (const m of fs.readFileSync(path.join(assembly, file), 'utf8').matchAll(/export const (\w+): i32 = (\d+);/g)) defined.set(m[1], Number(m[2]));
    }
    const ours: [number, string][] = [
      [K_LSTM_FORWARD, 'K_LSTM_FORWARD'], [K_LSTM_BACKWARD, 'K_LSTM_BACKWARD'], [K_GRU_FORWARD, 'K_GRU_FORWARD'], [K_GRU_BACKWARD, 'K_GRU_BACKWARD'],
      [K_RNN_FORWARD, 'K_RNN_FORWARD'], [K_RNN_BACKWARD, 'K_RNN_BACKWARD'], [K_STREAM, 'K_STREAM'],
      [MODE_RELU, 'MODE_RELU'], [MODE_DIAGONAL, 'MODE_DIAGONAL'], [MODE_PANELS, 'MODE_PANELS'],
      [STREAM_LSTM, 'KIND_LSTM'], [STREAM_GRU, 'KIND_GRU'], [STREAM_RNN, 'KIND_RNN'],
    ];
    expect(ours.map(([, name]) => [name, defined.get(name)])).toEqual(ours.map(([value, name]) => [name, value]));
  });

  for (const [kind, family, nonlinearity] of KIND_CASES) {
    it(`${kind}: the plain-array step (units) equals the composed recurrence`, () => {
      const rng = new Random(4);
      const H = 5;
      const module = createRecurrent(rng, { kind: family, inputSize: 3, hiddenSize: H, nonlinearity, recurrentInit: family === 'indrnn' ? { low: -1, high: 1 } : undefined }, { dtype: 'float64' });
      const params = layerParams(module, 0, false);
      const x = randn(rng, [1, 3]);
      const h = randn(rng, [1, H], 'float64', 0.5);
      const c = randn(rng, [1, H], 'float64', 0.5);
      const row = CELL_KINDS[kind];
      const withC = row.stateParts.includes('c');
      const composed = recurrentStep(prepareRecurrent(kind, params), withC ? { h, c } : { h }, projectInput(params, x));
      // The same step by hand: W_ih x + b_ih and W_hh h + b_hh as plain arrays, then `units`.
      const input = projectInput(params, x).data;
      const recurrent = new Float64Array(row.gates * H);
      const whh = params.weightHh.data;
      for (let j = 0; j < row.gates * H; j++) {
        let sum = (params.biasHh as Tensor).data[j];
        if (row.diagonal) sum += whh[j] * h.data[j];
        else for (let k = 0; k < H; k++) sum += whh[j * H + k] * h.data[k];
        recurrent[j] = sum;
      }
      const hOut = Float64Array.from(h.data);
      const cOut = withC ? Float64Array.from(c.data) : null;
      row.units(input, recurrent, hOut, cOut, H);
      expect(maxAbsDiff(hOut, composed.h.data)).toBeLessThan(1e-14);
      if (cOut) expect(maxAbsDiff(cOut, (composed.c as Tensor).data)).toBeLessThan(1e-14);
    });
  }
});
