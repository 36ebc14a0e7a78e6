import { Random, noGrad, oneHot, reshape } from '@loopflow/tensor';
import { createRecurrent, createStreamer, runRecurrent, setLayerRunner } from '../index';
import { KIND_CASES, maxAbsDiff, randn } from '../test-helpers';
import * as v8 from 'v8';
import * as vm from 'vm';
import { FORCE_SHARED, fusedContext, fusedKernelsAvailable, fusedKernelsInfo, fusedThreadLimit, fusedWaitForThreads } from './context';

// The WebAssembly streamer (float32) against the composed path (runner removed) over the same
// sequence, for every cell kind, odd and standard sizes.

const KINDS = KIND_CASES;

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

  describe('split between the two threads (the helper takes hidden-unit chunks of every step)', () => {
    afterAll(() => fusedThreadLimit(Infinity));
    for (const [label, kind, nonlinearity] of KINDS) {
      it(`${label}, H=96, 2 layers: every step = the composed path`, () => {
        const module = createRecurrent(new Random(5), { kind, inputSize: 5, hiddenSize: 96, numLayers: 2, nonlinearity });
        const steps = 12;
        const x = randn(new Random(6), [steps, 1, 5], 'float32');
        const previous = setLayerRunner(null);
        const expected = noGrad(() => runRecurrent(module, x)).output;
        setLayerRunner(previous);
        fusedThreadLimit(FORCE_SHARED);
        const threads = fusedWaitForThreads();
        const helped = fusedKernelsInfo()!.helperItems;
        const streamer = createStreamer(module);
        // LSTM and GRU steps are large enough to share (IndRNN has no product; this RNN is
        // small). The helper takes part when it is scheduled in time: on a busy machine, or
        // while it wakes from sleep, the caller takes both halves, so the sequence is rerun.
        // With no fused runner installed (LOOPFLOW_FUSED=0) the streamer runs the plain loop.
        const shares = previous !== null && threads && (kind === 'lstm' || kind === 'gru');
        const deadline = Date.now() + (shares ? 5000 : 0);
        for (let attempt = 0; attempt === 0 || (Date.now() < deadline && fusedKernelsInfo()!.helperItems === helped); attempt++) {
          streamer.reset();
          let worst = 0;
          for (let t = 0; t < steps; t++) {
            const y = streamer.step(x.data.subarray(t * 5, (t + 1) * 5));
            worst = Math.max(worst, maxAbsDiff(y, expected.data.subarray(t * 96, (t + 1) * 96)));
          }
          expect(worst).toBeLessThan(1e-5);
        }
        if (shares) expect(fusedKernelsInfo()!.helperItems).toBeGreaterThan(helped);
      });
    }
  });

  it('setState, reset and refresh take effect at the next step, with the step split between threads', () => {
    fusedThreadLimit(FORCE_SHARED);
    fusedWaitForThreads();
    try {
      const lstm = createRecurrent(new Random(11), { kind: 'lstm', inputSize: 5, hiddenSize: 96, numLayers: 2 });
      const x = randn(new Random(12), [10, 1, 5], 'float32');
      const input = (t: number): Float32Array => x.data.subarray(t * 5, (t + 1) * 5) as Float32Array;
      const s = createStreamer(lstm);
      for (let t = 0; t < 5; t++) s.step(input(t));
      const saved = s.getState();
      const run = (): number[][] => Array.from({ length: 5 }, (_, t) => Array.from(s.step(input(5 + t))));
      const first = run();
      s.setState(saved);
      expect(run()).toEqual(first); // bit for bit: the products come from the restored state
      s.reset();
      const fromZero = run();
      const fresh = createStreamer(lstm);
      expect(Array.from({ length: 5 }, (_, t) => Array.from(fresh.step(input(5 + t))))).toEqual(fromZero);
      // New recurrent weights: after refresh the next step uses them (same as a new streamer).
      (lstm.weight_hh_l0 as { data: Float32Array }).data.forEach((v, i, a) => (a[i] = v * 0.5));
      s.setState(saved);
      s.refresh();
      const other = createStreamer(lstm);
      other.setState(saved);
      expect(run()).toEqual(Array.from({ length: 5 }, (_, t) => Array.from(other.step(input(5 + t)))));
    } finally {
      fusedThreadLimit(Infinity);
    }
  });

  it('a streamer in the shared memory gives its regions back once it and its views are unreachable', async () => {
    const lstm = createRecurrent(new Random(8), { kind: 'lstm', inputSize: 64, hiddenSize: 128 });
    const probe = createStreamer(lstm);
    if (fusedContext()!.team.threads < 2) return; // one thread: each streamer has an instance of its own
    probe.stepIndex(1);
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const collect = async (): Promise<void> => {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await collect();
    const before = fusedContext()!.heap.reservedBytes;
    // 20 streamers of ~0.4 MB each, dropped one by one: the heap reuses their regions.
    for (let i = 0; i < 20; i++) {
      createStreamer(lstm).stepIndex(i % 64);
      await collect();
    }
    // Finalizers run some time after a collection: give them a few more chances.
    for (let i = 0; i < 50 && fusedContext()!.heap.reservedBytes - before >= 3 * 450_000; i++) await collect();
    expect(fusedContext()!.heap.reservedBytes - before).toBeLessThan(3 * 450_000);
    // A view kept alive keeps its streamer's regions: the values it shows stay the streamer's.
    const kept = createStreamer(lstm).stepIndex(3);
    const copy = Float32Array.from(kept);
    for (let i = 0; i < 5; i++) {
      createStreamer(lstm).stepIndex(7);
      await collect();
    }
    expect(Array.from(kept)).toEqual(Array.from(copy));
  });

  // H = 6: weights read in place; H = 32 and 64: [H, 16] panels, whose product starts from bias + the
  // token's row (one-hot input); with two threads H = 64 splits into 32 + 32 units.
  for (const [kind, hidden, shared] of [['lstm', 6, false], ['lstm', 32, false], ['gru', 32, false], ['rnn', 32, false], ['lstm', 64, true], ['gru', 64, true]] as const) {
    it(`stepIndex = step with a one-hot input = the composed path (${kind}, H=${hidden}, 2 layers${shared ? ', shared' : ''})`, () => {
      fusedThreadLimit(shared ? FORCE_SHARED : Infinity);
      if (shared) fusedWaitForThreads();
      try {
        const module = createRecurrent(new Random(3), { kind, inputSize: 11, hiddenSize: hidden, numLayers: 2 });
        const a = createStreamer(module);
        const b = createStreamer(module);
        const tokens = [3, 0, 10, 3, 7, 7, 1];
        const previous = setLayerRunner(null);
        const expected = runRecurrent(module, reshape(oneHot(tokens, 11), [tokens.length, 1, 11])).output;
        setLayerRunner(previous);
        tokens.forEach((token, t) => {
          const row = new Float32Array(11);
          row[token] = 1;
          const ya = Float32Array.from(a.stepIndex(token));
          expect(maxAbsDiff(ya, b.step(row))).toBeLessThan(1e-6);
          expect(maxAbsDiff(ya, expected.data.subarray(t * hidden, (t + 1) * hidden))).toBeLessThan(1e-5);
        });
      } finally {
        fusedThreadLimit(Infinity);
      }
    });
  }

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
