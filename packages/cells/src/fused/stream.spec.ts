import { Random, noGrad, oneHot, reshape } from '@loopflow/tensor';
import { RecurrentKind, createRecurrent, createStreamer, runRecurrent, setLayerRunner } from '../index';
import { maxAbsDiff, randn } from '../test-helpers';
import { fusedKernelsAvailable } from './context';

// The WebAssembly streamer (float32) against the composed path (runner removed) over the same
// sequence, for every cell kind, odd and standard sizes.

const KINDS: [string, RecurrentKind, 'tanh' | 'relu' | undefined][] = [
  ['rnn_tanh', 'rnn', 'tanh'],
  ['rnn_relu', 'rnn', 'relu'],
  ['lstm', 'lstm', undefined],
  ['gru', 'gru', undefined],
  ['indrnn_relu', 'indrnn', 'relu'],
  ['indrnn_tanh', 'indrnn', 'tanh'],
];

const describeFused = fusedKernelsAvailable() ? describe : describe.skip;

describeFused('WebAssembly streamer (float32)', () => {
  for (const [label, kind, nonlinearity] of KINDS) {
    for (const [hidden, inputSize, layers] of [[1, 1, 1], [7, 5, 2], [128, 64, 1]]) {
      it(`${label}, H=${hidden}, ${layers} layer(s): step = the composed path, same buffers every step`, () => {
        const module = createRecurrent(new Random(hidden), { kind, inputSize, hiddenSize: hidden, numLayers: layers, nonlinearity });
        const steps = 9;
        const x = randn(new Random(2), [steps, 1, inputSize], 'float32');
        const previous = setLayerRunner(null);
        const expected = noGrad(() => runRecurrent(module, x)).output;
        setLayerRunner(previous);
        const streamer = createStreamer(module);
        const h0 = streamer.state.h[0];
        let first: unknown = null;
        let worst = 0;
        for (let t = 0; t < steps; t++) {
          const y = streamer.step(x.data.subarray(t * inputSize, (t + 1) * inputSize));
          first ??= y;
          expect(y).toBe(first);
          worst = Math.max(worst, maxAbsDiff(y, expected.data.subarray(t * hidden, (t + 1) * hidden)));
        }
        expect(worst).toBeLessThan(1e-5);
        expect(streamer.state.h[0]).toBe(h0); // live state buffers, never replaced
        expect(maxAbsDiff(streamer.state.h[layers - 1], first as Float32Array)).toBe(0); // the output is the last layer's h
      });
    }
  }

  it('stepIndex = step with a one-hot input = the composed path', () => {
    const lstm = createRecurrent(new Random(3), { kind: 'lstm', inputSize: 11, hiddenSize: 6, numLayers: 2 });
    const a = createStreamer(lstm);
    const b = createStreamer(lstm);
    const tokens = [3, 0, 10, 3, 7];
    const previous = setLayerRunner(null);
    const expected = runRecurrent(lstm, reshape(oneHot(tokens, 11), [5, 1, 11])).output;
    setLayerRunner(previous);
    tokens.forEach((token, t) => {
      const row = new Float32Array(11);
      row[token] = 1;
      const ya = Float32Array.from(a.stepIndex(token));
      expect(maxAbsDiff(ya, b.step(row))).toBeLessThan(1e-6);
      expect(maxAbsDiff(ya, expected.data.subarray(t * 6, (t + 1) * 6))).toBeLessThan(1e-5);
    });
  });

  it('reset, getState / setState and refresh work on the WebAssembly state', () => {
    const gru = createRecurrent(new Random(4), { kind: 'gru', inputSize: 2, hiddenSize: 3 });
    const s = createStreamer(gru);
    s.step([1, 2]);
    const saved = s.getState();
    const next = Float32Array.from(s.step([0.5, -0.5]));
    s.setState(saved);
    expect(maxAbsDiff(s.step([0.5, -0.5]), next)).toBe(0);
    s.reset();
    expect(Array.from(s.state.h[0])).toEqual([0, 0, 0]);
    (gru.bias_hh_l0 as { data: Float32Array }).data.fill(1);
    const stale = Float32Array.from(s.step([1, 2]));
    s.refresh();
    s.reset();
    expect(maxAbsDiff(s.step([1, 2]), stale)).toBeGreaterThan(1e-3);
  });
});
