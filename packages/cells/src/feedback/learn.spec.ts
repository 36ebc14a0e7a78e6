// Each kind of feedback learns a small task that needs memory, trained with BPTT and Adam; the
// same network without the feedback, trained the same way, cannot: it only sees x_t, and the
// comments give the best loss any function of x_t alone can reach (its floor).
import { Random, Tensor, noGrad } from '@loopflow/tensor';
import { FeedbackDefinition, FeedbackEdge, FeedbackNetwork, createFeedbackNetwork, runFeedbackNetwork } from './index';
import { accuracy, bceWithLogits, mse, train } from './spec-helpers';

const T = 8;
type Batch = { x: Tensor; y: Tensor };

/** A batch `[T, size, features]` from a per-sequence generator of inputs and targets. */
function batchOf(size: number, inputs: number, outputs: number, sequence: () => { xs: number[][]; ys: number[][] }): Batch {
  const x = new Float32Array(T * size * inputs);
  const y = new Float32Array(T * size * outputs);
  for (let b = 0; b < size; b++) {
    const { xs, ys } = sequence();
    for (let t = 0; t < T; t++) {
      x.set(xs[t], (t * size + b) * inputs);
      y.set(ys[t], (t * size + b) * outputs);
    }
  }
  return { x: new Tensor(x, [T, size, inputs]), y: new Tensor(y, [T, size, outputs]) };
}

/** Running sum of each of 2 channels, scaled by 0.3: y_t = 0.3 * (x_0 + ... + x_t), x ~ U(-1, 1). */
const runningSum = (rng: Random, size: number): Batch => batchOf(size, 2, 2, () => {
  const sums = [0, 0];
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let t = 0; t < T; t++) {
    const x = [rng.uniform(-1, 1), rng.uniform(-1, 1)];
    sums[0] += x[0];
    sums[1] += x[1];
    xs.push(x);
    ys.push([0.3 * sums[0], 0.3 * sums[1]]);
  }
  return { xs, ys };
});

/** A set/reset latch: inputs [set, reset] (each with probability 1/4); y_t = 1 after a set until a reset. */
const flipFlop = (rng: Random, size: number): Batch => batchOf(size, 2, 1, () => {
  let on = 0;
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let t = 0; t < T; t++) {
    const u = rng.next();
    if (u < 0.25) on = 1;
    else if (u < 0.5) on = 0;
    xs.push([u < 0.25 ? 1 : 0, u >= 0.25 && u < 0.5 ? 1 : 0]);
    ys.push([on]);
  }
  return { xs, ys };
});

/** XOR of the last two bits: y_t = x_t xor x_{t-1} (x_{-1} = 0). */
const xorLastTwo = (rng: Random, size: number): Batch => batchOf(size, 1, 1, () => {
  const bits = Array.from({ length: T }, () => (rng.next() < 0.5 ? 0 : 1));
  return { xs: bits.map((b) => [b]), ys: bits.map((b, t) => [b ^ (t > 0 ? bits[t - 1] : 0)]) };
});

/** Delayed recall: y_t = x_{t-2} (0 for t < 2), x ~ U(-1, 1). */
const delayTwo = (rng: Random, size: number): Batch => batchOf(size, 1, 1, () => {
  const xs = Array.from({ length: T }, () => [rng.uniform(-1, 1)]);
  return { xs, ys: xs.map((_, t) => (t >= 2 ? xs[t - 2] : [0])) };
});

const mseOf = (net: FeedbackNetwork, x: Tensor, y: Tensor): Tensor => mse(runFeedbackNetwork(net, x).output, y);
const bceOf = (net: FeedbackNetwork, x: Tensor, y: Tensor): Tensor => bceWithLogits(runFeedbackNetwork(net, x).output, y);

interface Outcome { initial: number; final: number; accuracy?: number }

/** Trains the definition with and without its feedback (same seeds, steps and optimizer). */
function compare(definition: FeedbackDefinition, task: (rng: Random, size: number) => Batch, loss: typeof mseOf, steps: number, lr: number): { withFeedback: Outcome; without: Outcome } {
  const run = (feedback: FeedbackEdge[] | 'complete'): Outcome => {
    const net = createFeedbackNetwork(new Random(1), { ...definition, feedback });
    const r = train(net, { steps, lr, seed: 7, batchSize: 16, evalSize: 128, batch: task, loss });
    const out: Outcome = { initial: r.initial, final: r.final };
    if (loss === bceOf) out.accuracy = accuracy(noGrad(() => runFeedbackNetwork(net, r.evalBatch.x).output), r.evalBatch.y);
    return out;
  };
  return { withFeedback: run(definition.feedback ?? []), without: run([]) };
}

const report = (kind: string, r: { withFeedback: Outcome; without: Outcome }): void => {
  const f = (o: Outcome) => `${o.initial.toFixed(4)} -> ${o.final.toFixed(4)}${o.accuracy === undefined ? '' : ` (accuracy ${o.accuracy.toFixed(3)})`}`;
  process.stdout.write(`feedback learning, ${kind}: with feedback ${f(r.withFeedback)}; without ${f(r.without)}\n`);
};

describe('feedback network: each kind learns a task that needs it', () => {
  it('direct (diagonal, IndRNN-style): a running sum per channel', () => {
    const r = compare({
      inputSize: 2,
      layers: [{ name: 'h', size: 8, cell: 'rnn_tanh' }, { name: 'out', size: 2, cell: 'linear' }],
      feedback: [{ kind: 'direct', layer: 'h' }],
    }, runningSum, mseOf, 150, 0.03);
    report('direct', r);
    expect(r.withFeedback.final).toBeLessThan(0.25 * r.withFeedback.initial);
    expect(r.withFeedback.final).toBeLessThan(0.02);
    // floor from x_t alone: 0.09 * mean(t) / 3 = 0.105 (the past inputs' share of the sum)
    expect(r.without.final).toBeGreaterThan(0.08);
  });

  it('indirect (Jordan, output -> first layer): a set/reset latch, where y_t depends on y_{t-1}', () => {
    const r = compare({
      inputSize: 2,
      layers: [{ name: 'h', size: 8, cell: 'rnn_tanh' }, { name: 'out', size: 1, cell: 'linear' }],
      feedback: [{ kind: 'indirect', from: 'out', to: 'h' }],
    }, flipFlop, bceOf, 200, 0.03);
    report('indirect', r);
    expect(r.withFeedback.final).toBeLessThan(0.25 * r.withFeedback.initial);
    expect(r.withFeedback.final).toBeLessThan(0.05);
    expect(r.withFeedback.accuracy).toBeGreaterThan(0.99);
    // floor from x_t alone: half the steps have no event and an unknown state, about 0.5 * ln 2 = 0.35
    expect(r.without.final).toBeGreaterThan(0.3);
    expect(r.without.accuracy).toBeLessThan(0.85);
  });

  it('lateral (full hidden-to-hidden matrix, Elman): XOR of the last two bits', () => {
    const r = compare({
      inputSize: 1,
      layers: [{ name: 'h', size: 8, cell: 'rnn_tanh' }, { name: 'out', size: 1, cell: 'linear' }],
      feedback: [{ kind: 'lateral', layer: 'h' }],
    }, xorLastTwo, bceOf, 150, 0.03);
    report('lateral', r);
    expect(r.withFeedback.final).toBeLessThan(0.25 * r.withFeedback.initial);
    expect(r.withFeedback.final).toBeLessThan(0.05);
    expect(r.withFeedback.accuracy).toBe(1);
    // floor from x_t alone: for t >= 1 the label is independent of x_t, (7/8) ln 2 = 0.61
    expect(r.without.final).toBeGreaterThan(0.55);
    expect(r.without.accuracy).toBeLessThan(0.7);
  });

  it('complete (every neuron feeds every neuron of every layer): recall of the input two steps back', () => {
    const r = compare({
      inputSize: 1,
      layers: [{ name: 'h1', size: 8, cell: 'rnn_tanh' }, { name: 'h2', size: 6, cell: 'rnn_relu' }, { name: 'out', size: 1, cell: 'linear' }],
      feedback: 'complete',
    }, delayTwo, mseOf, 150, 0.03);
    report('complete', r);
    expect(r.withFeedback.final).toBeLessThan(0.25 * r.withFeedback.initial);
    expect(r.withFeedback.final).toBeLessThan(0.02);
    // floor from x_t alone: the variance of the target, (6/8) / 3 = 0.25
    expect(r.without.final).toBeGreaterThan(0.2);
  });
});
