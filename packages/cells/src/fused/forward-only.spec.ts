import { Random, Tensor, noGrad } from '@loopflow/tensor';
import { RecurrentModule, createRecurrent, runRecurrent, runRecurrentTokens, setLayerRunner } from '../index';
import { KIND_CASES, randn } from '../test-helpers';
import { FORCE_SHARED, fusedContext, fusedKernelsAvailable, fusedThreadLimit, fusedWaitForThreads } from './context';
import { fusedLayerRunner } from './runner';

// A call without gradients runs the fused forward kernel in forward-only mode (P_NO_TAPE: the
// state in two slots, no activations kept for a backward). Its outputs and final states must
// be those of the taped forward (the one a training step runs), bit for bit.

const describeFused = fusedKernelsAvailable() ? describe : describe.skip;

interface Shape {
  hidden: number;
  batch: number;
  steps: number;
  layers: number;
  bidirectional: boolean;
  lengths?: number[];
}

const SHAPES: [string, Shape][] = [
  // odd sizes: the gate loops' partial vectors, 2 layers (the second's input is dense), both directions, padding
  ['H 13, B 5, T 7, 2 layers, bidirectional, lengths', { hidden: 13, batch: 5, steps: 7, layers: 2, bidirectional: true, lengths: [7, 3, 1, 6, 7] }],
  // several chunks of units, an even and an odd number of steps
  ['H 64, B 32, T 9', { hidden: 64, batch: 32, steps: 9, layers: 1, bidirectional: false }],
  ['H 48, B 8, T 10, reverse', { hidden: 48, batch: 8, steps: 10, layers: 1, bidirectional: true }],
];

/** Outputs and final states of one run, as plain arrays. */
function outputs(module: RecurrentModule, run: (m: RecurrentModule) => ReturnType<typeof runRecurrent>): number[][] {
  const { output, state } = run(module);
  return [output, state.h, ...(state.c ? [state.c] : [])].map((t: Tensor) => Array.from(t.data));
}

/** Runs `fn` counting the tapes the fused runner allocates, taped and forward-only. */
function countingTapes<T>(fn: () => T): { value: T; taped: number; forwardOnly: number } {
  const pool = fusedContext()!.pool;
  const spy = jest.spyOn(pool, 'allocate');
  try {
    const value = fn();
    const flags = spy.mock.calls.map((call) => call[2] === true);
    return { value, taped: flags.filter((f) => !f).length, forwardOnly: flags.filter((f) => f).length };
  } finally {
    spy.mockRestore();
  }
}

describeFused('fused forward without gradients (forward only) = the taped forward, bit for bit', () => {
  beforeAll(() => setLayerRunner(fusedLayerRunner));
  afterAll(() => fusedThreadLimit(Infinity));

  for (const [kind, family, nonlinearity] of KIND_CASES) {
    for (const [label, s] of SHAPES) {
      it(`${kind}: ${label}`, () => {
        const module = createRecurrent(new Random(s.hidden + s.steps), {
          kind: family, inputSize: 6, hiddenSize: s.hidden, numLayers: s.layers, bidirectional: s.bidirectional, nonlinearity,
        });
        const rng = new Random(3);
        const rows = s.layers * (s.bidirectional ? 2 : 1);
        const x = randn(rng, [s.steps, s.batch, 6], 'float32');
        const h0 = randn(rng, [rows, s.batch, s.hidden], 'float32', 0.5);
        const c0 = randn(rng, [rows, s.batch, s.hidden], 'float32', 0.5);
        const initialState = family === 'lstm' ? { h: h0, c: c0 } : { h: h0 };
        const run = (m: RecurrentModule): ReturnType<typeof runRecurrent> => runRecurrent(m, x, { initialState, lengths: s.lengths });
        // The module's parameters require gradients: this forward keeps its tape.
        const taped = countingTapes(() => outputs(module, run));
        const free = countingTapes(() => noGrad(() => outputs(module, run)));
        expect(taped.taped).toBe(rows);
        expect(taped.forwardOnly).toBe(0);
        expect(free.forwardOnly).toBe(rows);
        expect(free.taped).toBe(0);
        free.value.forEach((values, i) => expect(values).toEqual(taped.value[i]));
      });
    }
  }

  it('token ids (the projected input given, not computed in the call): the same outputs', () => {
    for (const [, family, nonlinearity] of KIND_CASES) {
      const module = createRecurrent(new Random(5), { kind: family, inputSize: 11, hiddenSize: 20, nonlinearity });
      const rng = new Random(8);
      const tokens = { ids: Array.from({ length: 6 * 4 }, () => rng.int(11)), shape: [6, 4] as const };
      const run = (m: RecurrentModule): ReturnType<typeof runRecurrent> => runRecurrentTokens(m, tokens);
      const taped = countingTapes(() => outputs(module, run));
      const free = countingTapes(() => noGrad(() => outputs(module, run)));
      expect([taped.taped, free.forwardOnly]).toEqual([1, 1]);
      free.value.forEach((values, i) => expect(values).toEqual(taped.value[i]));
    }
  });

  it('two threads (each taking blocks of rows with their own state slots) give the same numbers', () => {
    fusedThreadLimit(FORCE_SHARED);
    if (!fusedWaitForThreads()) return; // one core, or LOOPFLOW_THREADS=1: nothing to compare
    for (const [, family, nonlinearity] of KIND_CASES) {
      const module = createRecurrent(new Random(6), { kind: family, inputSize: 6, hiddenSize: 64, nonlinearity });
      const x = randn(new Random(7), [12, 32, 6], 'float32');
      const run = (m: RecurrentModule): ReturnType<typeof runRecurrent> => runRecurrent(m, x);
      const taped = outputs(module, run);
      const free = noGrad(() => outputs(module, run));
      free.forEach((values, i) => expect(values).toEqual(taped[i]));
    }
  });
});
