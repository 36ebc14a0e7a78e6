import { Random, Tensor, oneHot, reshape, slice, tensor } from '@loopflow/tensor';
import { LayerRunner, RecurrentKind, StackStreamArgs, createRecurrent, createStreamer, getLayerRunner, runRecurrent, createLSTM, initialState, setLayerRunner } from './index';
import { KIND_CASES, maxAbsDiff, randn } from './test-helpers';

const KINDS = KIND_CASES; // every cell kind

describe('createStreamer (batch-1 streaming)', () => {
  for (const [label, kind, nonlinearity] of KINDS) {
    it(`${label}, 2 layers: step by step equals runRecurrent over the sequence, carrying state across calls`, () => {
      const module = createRecurrent(new Random(1), { kind, inputSize: 5, hiddenSize: 7, numLayers: 2, nonlinearity });
      const x = randn(new Random(2), [9, 1, 5], 'float32');
      const streamer = createStreamer(module);
      const first = runRecurrent(module, slice(x, 0, 0, 4));
      const second = runRecurrent(module, slice(x, 0, 4, 9), { initialState: first.state });
      const expected = [...Array.from({ length: 4 }, (_, t) => first.output.data.subarray(t * 7, (t + 1) * 7)), ...Array.from({ length: 5 }, (_, t) => second.output.data.subarray(t * 7, (t + 1) * 7))];
      let worst = 0;
      let previous: Float32Array | Float64Array | null = null;
      for (let t = 0; t < 9; t++) {
        const y = streamer.step(x.data.subarray(t * 5, (t + 1) * 5));
        if (previous) expect(y).toBe(previous); // the same preallocated buffer every step
        previous = y;
        worst = Math.max(worst, maxAbsDiff(y, expected[t]));
      }
      expect(worst).toBeLessThan(1e-5);
      const final = streamer.getState();
      expect(final.h.shape).toEqual([2, 1, 7]);
      expect(maxAbsDiff(final.h.data, second.state.h.data)).toBeLessThan(1e-5);
      if (kind === 'lstm') expect(maxAbsDiff((final.c as Tensor).data, (second.state.c as Tensor).data)).toBeLessThan(1e-5);
    });
  }

  it('stepIndex gathers a column of W_ih: equals step with a one-hot input', () => {
    const lstm = createLSTM(new Random(3), { inputSize: 11, hiddenSize: 6, numLayers: 2 }, { dtype: 'float64' });
    const a = createStreamer(lstm);
    const b = createStreamer(lstm);
    const tokens = [3, 0, 10, 3, 7];
    const batch = runRecurrent(lstm, reshape(oneHot(tokens, 11, 'float64'), [5, 1, 11])).output;
    tokens.forEach((token, t) => {
      const oneHotRow = new Float64Array(11);
      oneHotRow[token] = 1;
      const ya = Float64Array.from(a.stepIndex(token));
      const yb = b.step(oneHotRow);
      expect(maxAbsDiff(ya, yb)).toBeLessThan(1e-15);
      expect(maxAbsDiff(ya, batch.data.subarray(t * 6, (t + 1) * 6))).toBeLessThan(1e-12);
    });
    expect(() => a.stepIndex(11)).toThrow(/stepIndex\(11\) is out of range; expected an integer in \[0, 10\]/);
    expect(() => a.step([1, 2])).toThrow(expect.objectContaining({ code: 'INPUT_SHAPE' }));
  });

  it('reset, setState and getState', () => {
    const lstm = createLSTM(new Random(4), { inputSize: 2, hiddenSize: 3 });
    const s = createStreamer(lstm);
    const fresh = Float32Array.from(s.step([0.5, -1]));
    s.step([1, 1]);
    s.reset();
    expect(Array.from(s.state.h[0])).toEqual([0, 0, 0]);
    expect(maxAbsDiff(s.step([0.5, -1]), fresh)).toBe(0);
    const saved = s.getState();
    const after = Float32Array.from(s.step([0.2, 0.3]));
    s.setState(saved);
    expect(maxAbsDiff(s.step([0.2, 0.3]), after)).toBe(0);
    expect(() => s.setState(initialState(lstm, 2))).toThrow(expect.objectContaining({ code: 'STATE_SHAPE' }));
  });

  it('works on a snapshot of the weights until refresh()', () => {
    const gru = createRecurrent(new Random(6), { kind: 'gru', inputSize: 2, hiddenSize: 3 });
    const s = createStreamer(gru);
    const before = Float32Array.from(s.step([1, -1]));
    (gru.weight_hh_l0 as Tensor).data.fill(0.3);
    s.reset();
    expect(maxAbsDiff(s.step([1, -1]), before)).toBe(0); // h0 = 0 hides W_hh; next step shows it
    const stale = Float32Array.from(s.step([0.5, 0.5]));
    s.refresh();
    s.reset();
    s.step([1, -1]);
    const fresh = Float32Array.from(s.step([0.5, 0.5]));
    const expected = runRecurrent(gru, tensor([[[1, -1]], [[0.5, 0.5]]])).output.data.subarray(3, 6);
    expect(maxAbsDiff(fresh, expected)).toBeLessThan(1e-6);
    expect(maxAbsDiff(stale, expected)).toBeGreaterThan(1e-3);
  });

  it('takes its stream from the installed layer runner, as runRecurrent takes its layers; declined or none: the plain-loop reference', () => {
    const lstm = createLSTM(new Random(7), { inputSize: 3, hiddenSize: 4, numLayers: 2 });
    const x = randn(new Random(8), [5, 1, 3], 'float32');
    const expected = runRecurrent(lstm, x).output;
    const asked: StackStreamArgs[] = [];
    const declining: LayerRunner = Object.assign(() => null, {
      stream: (args: StackStreamArgs) => {
        asked.push(args);
        return null;
      },
    });
    const installed = getLayerRunner();
    const run = (runner: LayerRunner | null): { worst: number; ownBuffers: boolean } => {
      const previous = setLayerRunner(runner);
      try {
        const s = createStreamer(lstm);
        let worst = 0;
        for (let t = 0; t < 5; t++) worst = Math.max(worst, maxAbsDiff(s.step(x.data.subarray(t * 3, (t + 1) * 3)), expected.data.subarray(t * 4, (t + 1) * 4)));
        // The reference allocates each buffer on its own; a WebAssembly stream's are views of the kernels' memory.
        return { worst, ownBuffers: s.state.h[0].buffer.byteLength === 4 * 4 };
      } finally {
        setLayerRunner(previous);
      }
    };
    const declined = run(declining);
    expect(asked).toEqual([{ kind: 'lstm', layers: 2, inputSize: 3, hiddenSize: 4, dtype: 'float32' }]);
    expect(declined).toEqual({ worst: expect.any(Number), ownBuffers: true });
    expect(declined.worst).toBeLessThan(1e-5);
    const none = run(null);
    expect(none.ownBuffers).toBe(true);
    expect(none.worst).toBeLessThan(1e-5);
    if (installed?.stream) {
      const fused = run(installed);
      expect(fused.ownBuffers).toBe(false); // the fused runner's stream (when its kernels are built)
      expect(fused.worst).toBeLessThan(1e-5);
    }
  });

  it('refuses a bidirectional module with a clear message', () => {
    const bi = createLSTM(new Random(5), { inputSize: 2, hiddenSize: 3, bidirectional: true });
    expect(() => createStreamer(bi)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(() => createStreamer(bi)).toThrow(/needs a unidirectional module; this one is bidirectional/);
  });
});
