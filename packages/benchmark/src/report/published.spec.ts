import type { ModelKind } from '../names';
import type { ScalingResult } from '../scaling/scaling-run';
import type { GradientFlowCurve } from '../training/gradient-flow';
import { compareWithPublished } from './published';
import type { GroupRow, SummaryRow } from './types';

/** A summary row of the adding problem: `solved` of 2 seeds. */
function adding(model: ModelKind, length: number, solved: number): SummaryRow {
  return {
    taskId: `adding/T=${length}`, task: 'adding', setting: { name: 'length', value: length }, model, parameters: 4600, width: 32, seeds: 2,
    metric: 'MSE', better: 'lower', testValues: [0.1, 0.1], testMean: solved ? 0.001 : 0.17, testSd: 0, solved, stepsToSolve: [null, null],
    stepsToSolveMedian: null, msPerStep: 10, heapPeakBytes: 1, rssPeakBytes: null, steps: [600, 600], diverged: 0,
  };
}

function scaling(model: ModelKind, timeExponent: number, memoryExponent: number): ScalingResult {
  const lengths = [64, 128, 256, 512, 1024];
  const path = model === 'transformer' ? null : ('composed' as const);
  const points = lengths.map((length) => ({ length, msPerStep: length ** timeExponent, msAll: [], graphBytes: length ** memoryExponent, heapBytes: 0, rssPeakBytes: 0, path }));
  const fit = (k: number) => ({ exponent: k, coefficient: 1, r2: 1, points: 5 });
  return {
    kind: 'scaling', id: `scaling/${model}`, model, width: 8, parameters: 100, batchSize: 4, points,
    timeFit: fit(timeExponent), timeLastExponent: timeExponent, memoryFit: fit(memoryExponent), memoryLastExponent: memoryExponent,
    gcForced: true, isolated: true, recurrentPath: model === 'transformer' ? null : 'composed',
  };
}

function flow(model: ModelKind, ratio: number): GradientFlowCurve {
  return { model, stage: 'init', taskId: 'adding/T=200', seed: 0, length: 200, layers: [{ layer: 0, norms: [ratio, 1] }], ratioFirstToLast: ratio };
}

function distances(model: ModelKind, accuracies: number[]): GroupRow[] {
  return accuracies.map((mean, i) => ({ taskId: 'long-context/max=32', model, group: 4 * 2 ** i, mean, values: [mean] }));
}

const verdict = (input: Parameters<typeof compareWithPublished>[0], id: string) => compareWithPublished(input).find((c) => c.id === id)!;
const empty = { summary: [], groups: [], scaling: [], gradientFlow: [] };

describe('compared with published results', () => {
  it('RNN vs LSTM on the adding problem: agrees, differs, or not tested, from the numbers', () => {
    const agree = [adding('rnn', 50, 0), adding('lstm', 50, 2), adding('rnn', 100, 0), adding('lstm', 100, 0)];
    expect(verdict({ ...empty, summary: agree }, 'adding-rnn-vs-lstm').verdict).toBe('agrees');
    expect(verdict({ ...empty, summary: agree }, 'adding-rnn-vs-lstm').measured).toMatch(/T=50/);
    const differ = [adding('rnn', 50, 2), adding('lstm', 50, 2)];
    expect(verdict({ ...empty, summary: differ }, 'adding-rnn-vs-lstm').verdict).toBe('differs');
    const untested = [adding('rnn', 50, 0), adding('lstm', 50, 0)];
    expect(verdict({ ...empty, summary: untested }, 'adding-rnn-vs-lstm').verdict).toBe('not tested');
    expect(verdict(empty, 'adding-rnn-vs-lstm').verdict).toBe('not tested');
    // One seed of two is half: counts as solved; zero of two does not.
    expect(verdict({ ...empty, summary: [adding('rnn', 50, 0), adding('lstm', 50, 1)] }, 'adding-rnn-vs-lstm').verdict).toBe('agrees');
  });

  it('IndRNN vs LSTM: agrees when IndRNN solves longer lengths than the LSTM stops at, not tested when both solve all', () => {
    const agree = [adding('indrnn', 50, 2), adding('lstm', 50, 2), adding('indrnn', 100, 2), adding('lstm', 100, 0)];
    expect(verdict({ ...empty, summary: agree }, 'adding-indrnn-vs-lstm').verdict).toBe('agrees');
    // The LSTM solving nothing shows slower learning, not a length where it stops.
    const slower = [adding('indrnn', 50, 2), adding('lstm', 50, 0), adding('indrnn', 100, 2), adding('lstm', 100, 0)];
    expect(verdict({ ...empty, summary: slower }, 'adding-indrnn-vs-lstm').verdict).toBe('partly');
    expect(verdict({ ...empty, summary: slower }, 'adding-indrnn-vs-lstm').measured).toMatch(/solved no length/);
    const both = [adding('indrnn', 50, 2), adding('lstm', 50, 2)];
    expect(verdict({ ...empty, summary: both }, 'adding-indrnn-vs-lstm').verdict).toBe('not tested');
    // No length separates them by the threshold, but IndRNN learned where the LSTM did not.
    const learned = (indMse: number) => [adding('indrnn', 50, 2), adding('lstm', 50, 2), { ...adding('indrnn', 500, 0), testMean: indMse }, { ...adding('lstm', 500, 0), testMean: 0.165 }];
    const c = verdict({ ...empty, summary: learned(0.021) }, 'adding-indrnn-vs-lstm');
    expect(c.verdict).toBe('partly');
    expect(c.measured).toMatch(/at T=500 IndRNN brought the test MSE well below the 0\.167 of always answering 1.*while the LSTM stayed at that baseline/);
    expect(verdict({ ...empty, summary: learned(0.1) }, 'adding-indrnn-vs-lstm').verdict).toBe('not tested'); // not under half the baseline
    const differ = [adding('indrnn', 50, 0), adding('lstm', 50, 2)];
    expect(verdict({ ...empty, summary: differ }, 'adding-indrnn-vs-lstm').verdict).toBe('differs');
  });

  it('attention and distance: flat and high agrees, falling differs, never learned is not tested', () => {
    const g = (acc: number[]) => ({ ...empty, groups: [...distances('transformer', acc), ...distances('lstm', [1, 0.9, 0.5, 0.2])] });
    expect(verdict(g([1, 1, 0.99, 0.98]), 'attention-distance').verdict).toBe('agrees');
    expect(verdict(g([1, 0.9, 0.5, 0.3]), 'attention-distance').verdict).toBe('differs');
    expect(verdict(g([0.13, 0.12, 0.13, 0.12]), 'attention-distance').verdict).toBe('not tested');
    expect(verdict(g([1, 0.9, 0.5, 0.3]), 'attention-distance').measured).toMatch(/LSTM 0.200/);
  });

  it('cost scaling: linear recurrent and near-quadratic attention agrees; flat attention differs', () => {
    const rec = (k: number) => ['rnn', 'lstm', 'gru', 'indrnn'].map((m) => scaling(m as ModelKind, k, k));
    expect(verdict({ ...empty, scaling: [...rec(1), scaling('transformer', 1.8, 1.9)] }, 'scaling-time').verdict).toBe('agrees');
    expect(verdict({ ...empty, scaling: [...rec(1), scaling('transformer', 1.3, 1.9)] }, 'scaling-time').verdict).toBe('partly');
    expect(verdict({ ...empty, scaling: [...rec(1), scaling('transformer', 1.0, 1.0)] }, 'scaling-memory').verdict).toBe('differs');
    expect(verdict({ ...empty, scaling: rec(1) }, 'scaling-memory').verdict).toBe('not tested');
  });

  it('linear attention memory from the fused kernel differs from the claim and says why; composed says nothing of it', () => {
    const rec = ['rnn', 'lstm', 'gru', 'indrnn'].map((m) => scaling(m as ModelKind, 1, 1));
    const fused = { ...scaling('transformer', 1.5, 1.0), attentionPath: 'fused' as const };
    const memory = verdict({ ...empty, scaling: [...rec, fused] }, 'scaling-memory');
    expect(memory.verdict).toBe('differs');
    expect(memory.measured).toMatch(/fused kernel .* no T x T matrix is kept/);
    const composed = verdict({ ...empty, scaling: [...rec, { ...scaling('transformer', 1.5, 1.0), attentionPath: 'composed' as const }] }, 'scaling-memory');
    expect(composed.verdict).toBe('differs');
    expect(composed.measured).not.toMatch(/fused kernel/);
  });

  it('flags time curves that jump faster than T^2.5 between neighbouring lengths', () => {
    const jumpy = scaling('lstm', 1, 1);
    jumpy.points[3].msPerStep = jumpy.points[2].msPerStep * 20; // 256 -> 512: 20x for 2x the length
    const c = verdict({ ...empty, scaling: [jumpy, scaling('transformer', 1.8, 1.9)] }, 'scaling-time');
    expect(c.measured).toMatch(/Irregular growth: LSTM \(composed path\) 20.0x from T=256 to T=512/);
  });

  it('gradient flow below float32 range (ratios of 0) compares how fast ln ||dL/dh_t|| falls per step', () => {
    // Norms e^(k t) over t = 0..99, set to 0 where they would be below float32's range.
    const curve = (model: ModelKind, k: number): GradientFlowCurve => {
      const norms = Array.from({ length: 100 }, (_, t) => Math.exp(k * (t - 99))).map((n) => (n < 1e-45 ? 0 : n));
      return { model, stage: 'init', taskId: 'adding/T=100', seed: 0, length: 100, layers: [{ layer: 0, norms }], ratioFirstToLast: norms[0] / norms[99] };
    };
    const rnn = curve('rnn', 2); // vanishes by 2 nats a step: 0 before t = 50
    const lstm = curve('lstm', 1.5); // 0 before t = 30
    expect(rnn.ratioFirstToLast).toBe(0);
    expect(lstm.ratioFirstToLast).toBe(0);
    const c = verdict({ ...empty, gradientFlow: [rnn, lstm] }, 'gradient-flow');
    expect(c.verdict).toBe('agrees');
    expect(c.measured).toMatch(/underflowed to 0.*RNN \(tanh\) 2\.000, LSTM 1\.500/);
    expect(verdict({ ...empty, gradientFlow: [curve('rnn', 1.5), curve('lstm', 2)] }, 'gradient-flow').verdict).toBe('differs');
    // A positive ratio keeps more than an underflowed one.
    expect(verdict({ ...empty, gradientFlow: [rnn, flow('lstm', 1e-20)] }, 'gradient-flow').verdict).toBe('agrees');
  });

  it('gradient flow: the RNN keeping the least (and under 1%) agrees', () => {
    const curves = [flow('rnn', 1e-20), flow('lstm', 1e-8), flow('indrnn', 0.6)];
    expect(verdict({ ...empty, gradientFlow: curves }, 'gradient-flow').verdict).toBe('agrees');
    expect(verdict({ ...empty, gradientFlow: [flow('rnn', 0.5), flow('lstm', 1e-3)] }, 'gradient-flow').verdict).toBe('differs');
  });
});
