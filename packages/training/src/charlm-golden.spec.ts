/**
 * The PyTorch golden `train_charlm_lstm_tbptt` (a copy in testdata/) run through `train`:
 * one-hot -> LSTM -> Linear, mean cross-entropy per chunk, Adam, gradient norm clipped to
 * 1.0 before every step, truncated BPTT over chunks with the state carried detached and reset
 * each epoch. Every chunk loss and every final weight must match PyTorch's.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Tensor, oneHot, slice, tensor } from '@loopflow/tensor';
import type { DType } from '@loopflow/tensor';
import { createLinear, linear, loadStateDict, stateDict } from '@loopflow/layers';
import { createLSTM, runRecurrent } from '@loopflow/cells';
import type { RecurrentState } from '@loopflow/cells';
import { crossEntropy } from '@loopflow/losses';
import { adam } from '@loopflow/optimizers';
import { Random } from '@loopflow/tensor';
import { timeMajorSlicer } from './bptt';
import { runAll } from './spec-helpers';
import type { TimeChunk } from './types';

interface Golden {
  config: Record<string, unknown>;
  tensors: Record<string, { shape: number[]; data: number[] }>;
}
const golden: Golden = JSON.parse(fs.readFileSync(path.join(__dirname, 'testdata/train_charlm_lstm_tbptt.json'), 'utf8'));
const cfg = golden.config as { vocab: number; hidden: number; seq_len: number; batch: number; epochs: number; chunk: number; clip_grad_norm: number; optimizer: string };

/** 'adam lr=0.02 betas=(0.9,0.999) eps=1e-8' -> { lr, betas, eps } */
function adamOptions(spec: string): { lr: number; betas: [number, number]; eps: number } {
  const pairs = Object.fromEntries([...spec.matchAll(/(\w+)=(\([^)]*\)|\S+)/g)].map((m) => [m[1], m[2]]));
  const betas = pairs.betas.slice(1, -1).split(',').map(Number) as [number, number];
  return { lr: Number(pairs.lr), betas, eps: Number(pairs.eps) };
}

function load(name: string, dtype: DType): Tensor {
  const t = golden.tensors[name];
  return tensor(t.data, t.shape, { dtype });
}

function maxAbsError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}

async function runGolden(dtype: DType) {
  expect(cfg.optimizer.startsWith('adam ')).toBe(true);
  const rng = new Random(0);
  const model = {
    lstm: createLSTM(rng, { inputSize: cfg.vocab, hiddenSize: cfg.hidden }, { dtype }),
    head: createLinear(rng, cfg.hidden, cfg.vocab, { dtype }),
  };
  loadStateDict(model, Object.fromEntries(Object.keys(stateDict(model)).map((name) => [name, load(name, dtype)])));
  const tokens = load('tokens', dtype); // [T+1, B]
  const T = cfg.seq_len;
  const batch = { inputs: oneHot(slice(tokens, 0, 0, T), cfg.vocab, dtype), targets: slice(tokens, 0, 1, T + 1) }; // [T, B, V], [T, B]
  const chunks: TimeChunk[] = [];
  const statesIn: (RecurrentState | undefined)[] = [];
  const events = await runAll<typeof model, typeof batch, RecurrentState>({
    model,
    forward: (m, b, state, ctx) => {
      chunks.push(ctx.chunk as TimeChunk);
      statesIn.push(state);
      const { output, state: next } = runRecurrent(m.lstm, b.inputs, { initialState: state }); // [chunk, B, H]
      return { loss: crossEntropy(linear(m.head, output), b.targets), state: next }; // logits [chunk, B, V]
    },
    optimizer: (params) => adam(params, adamOptions(cfg.optimizer)),
    clipGradNorm: cfg.clip_grad_norm,
    bptt: { stepsPerUpdate: cfg.chunk, slicer: timeMajorSlicer(['inputs', 'targets']) },
    resetState: 'epoch',
    trainBatches: () => [batch],
    epochs: cfg.epochs,
  });
  const final = stateDict(model);
  let weightError = 0;
  for (const name of Object.keys(final)) weightError = Math.max(weightError, maxAbsError(final[name].data, golden.tensors[`final.${name}`].data));
  const losses = events.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
  return { events, chunks, statesIn, lossError: maxAbsError(losses, golden.tensors.losses.data), weightError };
}

describe('train_charlm_lstm_tbptt (PyTorch golden) through train()', () => {
  it('float32: every chunk loss and every final weight within 1e-5 (the README allows ~1e-3 relative)', async () => {
    const { lossError, weightError } = await runGolden('float32');
    expect(lossError).toBeLessThan(1e-5);
    expect(weightError).toBeLessThan(1e-5);
  });

  it('float64: matches to rounding (far below the float32 tolerance)', async () => {
    const { lossError, weightError } = await runGolden('float64');
    expect(lossError).toBeLessThan(1e-12);
    expect(weightError).toBeLessThan(1e-12);
  });

  it('cuts each epoch into chunks, carries the state between them and resets it each epoch', async () => {
    const { events, chunks, statesIn } = await runGolden('float64');
    const perEpoch = cfg.seq_len / cfg.chunk;
    expect(chunks.map((c) => [c.start, c.end])).toEqual(Array.from({ length: cfg.epochs * perEpoch }, (_, i) => [(i % perEpoch) * cfg.chunk, ((i % perEpoch) + 1) * cfg.chunk]));
    statesIn.forEach((s, i) => {
      if (i % perEpoch === 0) expect(s).toBeUndefined(); // zeros at each epoch
      else expect(s!.h.requiresGrad || s!.h.node !== null).toBe(false); // carried, detached
    });
    expect(events.map((e) => e.type)).toEqual([...Array.from({ length: cfg.epochs }, () => [...Array(perEpoch).fill('step'), 'epoch']).flat(), 'done']);
  });
});
