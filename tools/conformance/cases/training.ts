/**
 * Conformance handler for `train_charlm_lstm_tbptt`: a whole training run of a character
 * language model, run THROUGH @loopflow/training's `train` (not a hand-written loop), so it
 * shows that the trainer, the LSTM, the loss, Adam and clipping fit together as PyTorch's do.
 *
 * From the file: tokens `[T+1, B]`, the config (vocab, hidden, seq_len, batch, epochs, chunk,
 * the optimizer string such as 'adam lr=0.02 betas=(0.9,0.999) eps=1e-8', clip_grad_norm) and
 * the initial weights `lstm.*` / `head.*`. The model is one-hot input -> LSTM -> Linear head;
 * the loss is the mean cross-entropy over each chunk; the trainer runs truncated BPTT with
 * chunks of `chunk` steps, the state carried detached between chunks and reset each epoch,
 * clipping the gradient norm before every Adam step. Compared: `losses` (every chunk, in
 * order) and every `final.*` weight, with the training tolerance.
 */
import { Tensor, oneHot, slice } from '@loopflow/tensor';
import type { DType } from '@loopflow/tensor';
import { createLinear, linear, loadStateDict, stateDict } from '@loopflow/layers';
import { createLSTM, runRecurrent } from '@loopflow/cells';
import type { RecurrentModule, RecurrentState } from '@loopflow/cells';
import { crossEntropy } from '@loopflow/losses';
import { adagrad, adam, adamw, rmsprop, sgd } from '@loopflow/optimizers';
import type { Optimizer } from '@loopflow/optimizers';
import { Random } from '@loopflow/tensor';
import { train, timeMajorSlicer } from '@loopflow/training';
import type { TrainEvent } from '@loopflow/training';
import { lastValueFrom, toArray } from 'rxjs';
import { defaultTolerance } from '../compare';
import { GoldenFormatError } from '../errors';
import { compareWith, configNumber, expectShape, goldenTensor, loadTensor } from '../golden';
import type { CaseHandler, CaseOutcome, Comparison, Golden, RunContext } from '../types';

type OptionValue = number | boolean | number[];

/**
 * Parses an optimizer description such as `adam lr=0.02 betas=(0.9,0.999) eps=1e-8`: the
 * name, then `key=value` pairs (numbers, `(a,b)` tuples, True/False). Keys are PyTorch's
 * (snake_case), returned in camelCase.
 *
 * @example parseOptimizerSpec('sgd lr=0.1 momentum=0.9') // { name: 'sgd', options: { lr: 0.1, momentum: 0.9 } }
 */
export function parseOptimizerSpec(spec: string): { name: string; options: Record<string, OptionValue> } {
  const text = spec.trim();
  const name = text.split(/\s+/)[0]?.toLowerCase() ?? '';
  const rest = text.slice(name.length);
  const options: Record<string, OptionValue> = {};
  const pair = /([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\([^)]*\)|\S+)/g;
  let consumed = rest;
  let m: RegExpExecArray | null;
  while ((m = pair.exec(rest))) {
    const key = m[1].replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const raw = m[2];
    let value: OptionValue;
    if (raw.startsWith('(')) {
      value = raw.slice(1, -1).split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
      if (value.some((v) => !Number.isFinite(v))) throw new Error(`value ${raw} of '${m[1]}' is not a tuple of numbers`);
    } else if (/^(true|false)$/i.test(raw)) {
      value = raw.toLowerCase() === 'true';
    } else {
      value = Number(raw);
      if (!Number.isFinite(value)) throw new Error(`value ${raw} of '${m[1]}' is not a number`);
    }
    options[key] = value;
    consumed = consumed.replace(m[0], '');
  }
  if (name === '' || consumed.trim() !== '') throw new Error(`cannot read '${consumed.trim() || spec}'; expected 'name key=value ...'`);
  return { name, options };
}

const OPTIMIZERS: Record<string, (params: Tensor[], options: never) => Optimizer> = { adam, adamw, sgd, rmsprop, adagrad };

function optimizerFactory(golden: Golden): (params: Tensor[]) => Optimizer {
  const spec = golden.config.optimizer;
  if (typeof spec !== 'string') throw new GoldenFormatError(`case '${golden.case}': config.optimizer must be a string such as 'adam lr=0.02'; found ${JSON.stringify(spec)}`);
  let parsed: ReturnType<typeof parseOptimizerSpec>;
  try {
    parsed = parseOptimizerSpec(spec);
  } catch (e) {
    throw new GoldenFormatError(`case '${golden.case}': config.optimizer '${spec}': ${(e as Error).message}`);
  }
  const make = OPTIMIZERS[parsed.name];
  if (!make) throw new GoldenFormatError(`case '${golden.case}': config.optimizer names '${parsed.name}'; expected one of ${Object.keys(OPTIMIZERS).join(', ')}`);
  return (params) => make(params, parsed.options as never);
}

function positiveInteger(golden: Golden, key: string): number {
  const v = configNumber(golden, key);
  if (!Number.isInteger(v) || v < 1) throw new GoldenFormatError(`case '${golden.case}': config.${key} is ${v}; expected a positive integer`);
  return v;
}

interface CharLmBatch {
  inputs: Tensor; // [T, B, V] one-hot
  targets: Tensor; // [T, B] next-token ids
}

/** Runs the case through `train`; returns the step losses and the final weights by name. */
export async function runCharLmTraining(golden: Golden, dtype: DType): Promise<{ losses: number[]; final: Record<string, Tensor> }> {
  const vocab = positiveInteger(golden, 'vocab');
  const hidden = positiveInteger(golden, 'hidden');
  const seqLen = positiveInteger(golden, 'seq_len');
  const batchSize = positiveInteger(golden, 'batch');
  const epochs = positiveInteger(golden, 'epochs');
  const chunk = positiveInteger(golden, 'chunk');
  const clip = configNumber(golden, 'clip_grad_norm');
  expectShape(golden, 'tokens', [seqLen + 1, batchSize]);

  const rng = new Random(0); // the weights are replaced by the file's
  const model = {
    lstm: createLSTM(rng, { inputSize: vocab, hiddenSize: hidden }, { dtype }),
    head: createLinear(rng, hidden, vocab, { dtype }),
  };
  const initial: Record<string, Tensor> = {};
  for (const name of Object.keys(stateDict(model))) initial[name] = loadTensor(golden, name, dtype);
  loadStateDict(model, initial);

  const tokens = loadTensor(golden, 'tokens', dtype); // [T+1, B]
  const batch: CharLmBatch = {
    inputs: oneHot(slice(tokens, 0, 0, seqLen), vocab, dtype), // [T, B, V]
    targets: slice(tokens, 0, 1, seqLen + 1), // [T, B]
  };
  const events: TrainEvent[] = await lastValueFrom(
    train<typeof model, CharLmBatch, RecurrentState>({
      model,
      forward: (m, b, state) => {
        const { output, state: next } = runRecurrent(m.lstm as RecurrentModule, b.inputs, { initialState: state }); // [chunk, B, H]
        return { loss: crossEntropy(linear(m.head, output), b.targets), state: next }; // logits [chunk, B, V]
      },
      optimizer: optimizerFactory(golden),
      clipGradNorm: clip,
      bptt: { stepsPerUpdate: chunk, slicer: timeMajorSlicer<CharLmBatch>(['inputs', 'targets']) },
      resetState: 'epoch',
      trainBatches: () => [batch],
      epochs,
      seed: 0,
    }).pipe(toArray()),
  );
  const losses = events.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
  return { losses, final: stateDict(model) };
}

async function runTrainingCase(golden: Golden, context: Partial<RunContext> = {}): Promise<CaseOutcome> {
  const dtype = context.dtype ?? 'float32';
  const { losses, final } = await runCharLmTraining(golden, dtype);
  const expectedLosses = goldenTensor(golden, 'losses');
  const comparisons: Comparison[] = [{ name: 'losses', actual: losses, expected: expectedLosses.data, shape: expectedLosses.shape }];
  for (const name of Object.keys(final)) comparisons.push(compareWith(golden, `final.${name}`, final[name]));
  return { status: 'ran', comparisons, tolerance: defaultTolerance(dtype, 'training') };
}

export const handlers: CaseHandler[] = [
  {
    description: 'a whole char-LM training run (LSTM, truncated BPTT with carried state, Adam, clipping) through @loopflow/training train: every chunk loss and the final weights',
    matches: (name: string) => name === 'train_charlm_lstm_tbptt',
    run: (golden: Golden, context?: RunContext) => runTrainingCase(golden, context),
  },
];
