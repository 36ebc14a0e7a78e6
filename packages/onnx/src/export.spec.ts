import { Random, Tensor } from '@loopflow/tensor';
import { createFeedbackNetwork, createLSTM, createGRU } from '@loopflow/cells';
import { exportOnnx } from './export';
import { OnnxError } from './errors';

function refusal(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(OnnxError);
    return { code: (e as OnnxError).code, message: (e as Error).message };
  }
  throw new Error('expected exportOnnx to refuse');
}

describe('exportOnnx refuses what it cannot export, with a code', () => {
  it('a model that is not one: ONNX_INVALID_MODEL / ONNX_UNSUPPORTED', () => {
    expect(refusal(() => exportOnnx(null)).code).toBe('ONNX_INVALID_MODEL');
    const unknown = refusal(() => exportOnnx({ kind: 'conv2d', config: {} }));
    expect(unknown.code).toBe('ONNX_UNSUPPORTED');
    expect(unknown.message).toMatch(/kind "conv2d".*expected a recurrent module/);
  });

  it('a feedback network whose definition does not validate, or lacks an edge matrix: ONNX_INVALID_MODEL', () => {
    const net = createFeedbackNetwork(new Random(0), { inputSize: 2, layers: [{ name: 'h', size: 3, cell: 'rnn_tanh' }, { name: 'o', size: 2, cell: 'linear' }], feedback: [{ kind: 'indirect', from: 'o', to: 'h' }] });
    const broken = { ...net, config: { ...net.config, layers: [] } };
    expect(refusal(() => exportOnnx(broken))).toEqual({ code: 'ONNX_INVALID_MODEL', message: expect.stringContaining("the feedback network's definition is invalid") });
    const noEdge = { ...net, feedback: {} };
    expect(refusal(() => exportOnnx(noEdge))).toEqual({ code: 'ONNX_INVALID_MODEL', message: expect.stringContaining('feedback.o_to_h.weight is missing') });
  });

  it('weights holding NaN: ONNX_NOT_FINITE, naming the parameter', () => {
    const lstm = createLSTM(new Random(0), { inputSize: 2, hiddenSize: 3, numLayers: 2 });
    (lstm.weight_hh_l1 as Tensor).data[4] = NaN;
    const { code, message } = refusal(() => exportOnnx(lstm));
    expect(code).toBe('ONNX_NOT_FINITE');
    expect(message).toContain('lstm.weight_hh_l1 holds NaN at index 4');
  });

  it('a missing parameter or one of the wrong shape: ONNX_INVALID_MODEL', () => {
    const gru = createGRU(new Random(0), { inputSize: 2, hiddenSize: 3, bidirectional: true });
    delete (gru as Record<string, unknown>).bias_hh_l0_reverse;
    expect(refusal(() => exportOnnx(gru)).message).toContain('gru.bias_hh_l0_reverse is missing');
    const lstm = createLSTM(new Random(0), { inputSize: 2, hiddenSize: 3 });
    (lstm as Record<string, unknown>).weight_ih_l0 = new Tensor(new Float32Array(12), [12, 1]);
    const shape = refusal(() => exportOnnx(lstm));
    expect(shape.code).toBe('ONNX_INVALID_MODEL');
    expect(shape.message).toContain('lstm.weight_ih_l0 has shape [12,1], expected [12,2]');
    const config = refusal(() => exportOnnx({ kind: 'lstm', config: { inputSize: 2, hiddenSize: 0, numLayers: 1 } }));
    expect(config).toEqual({ code: 'ONNX_INVALID_MODEL', message: expect.stringContaining('config.hiddenSize is 0') });
  });

  it('bad options: ONNX_INVALID_OPTIONS naming the key', () => {
    const lstm = createLSTM(new Random(0), { inputSize: 2, hiddenSize: 3 });
    expect(refusal(() => exportOnnx(lstm, { initalState: true } as never)).message).toMatch(/option 'initalState' is unknown; expected one of initialState, sequenceLens/);
    expect(refusal(() => exportOnnx(lstm, { sequenceLens: 'yes' } as never))).toEqual({ code: 'ONNX_INVALID_OPTIONS', message: expect.stringContaining('option sequenceLens is "yes"; expected a boolean') });
    expect(refusal(() => exportOnnx(lstm, 3 as never)).code).toBe('ONNX_INVALID_OPTIONS');
  });
});
