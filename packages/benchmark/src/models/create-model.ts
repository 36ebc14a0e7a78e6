import { Random, Tensor, permute, slice } from '@loopflow/tensor';
import { LinearModule, createLinear, linear } from '@loopflow/layers';
import { RecurrentModule, constrain, createRecurrent, indRNNBound, runRecurrent } from '@loopflow/cells';
import { DecoderModel, countParameters, createDecoder, decoder } from '@loopflow/attention';
import type { ModelKind } from '../names';
import { ARCHITECTURES, INDRNN_MAX_GAIN, LSTM_FORGET_BIAS } from './architecture';
import { BudgetChoice, ModelIO, widthForBudget } from './budget';

/**
 * A model of the comparison behind one interface: time-major features in, the outputs of the
 * steps the task reads out.
 */
export interface BenchModel {
  kind: ModelKind;
  /** Hidden size (recurrent) or dModel (transformer). */
  width: number;
  /** Trainable numbers (`countParameters(module)`). */
  parameters: number;
  /** The object holding the parameters (what `train` and `namedParameters` walk). */
  module: object;
  /** The recurrent stack (for gradient flow), null for the transformer. */
  recurrent: RecurrentModule | null;
  /**
   * `x` `[T, B, inputSize]` -> outputs of steps `readFrom..T-1`: `[T - readFrom, B, outputSize]`.
   * The transformer is causal, so its output at step t sees steps 0..t only, like an RNN's; its
   * last block computes only steps `readFrom..T-1` (the decoder's `outputsFrom`), as the
   * recurrent models apply their head only there.
   */
  forward(x: Tensor, readFrom: number): Tensor;
  /**
   * Recurrent models: the head applied to hidden states `[T, B, H]` from step `readFrom` on
   * (what `forward` does after running the stack; gradient flow needs the two apart).
   */
  readout: ((hidden: Tensor, readFrom: number) => Tensor) | null;
  /** Applies parameter constraints after an optimizer step (IndRNN's recurrent bound). */
  afterStep(): void;
  /** One line on the set-up, for the report. */
  description: string;
}

/** Options of {@link createBenchModel}. */
export interface BenchModelOptions {
  /** The longest sequence the model will see (sets IndRNN's recurrent bound 2^(1/T)). */
  maxLength: number;
}

interface RecurrentParams {
  cell: RecurrentModule;
  head: LinearModule;
}

/** Sets the forget-gate block of every `bias_hh_l*` of an LSTM to `value`. */
export function setForgetBias(lstm: RecurrentModule, value: number): void {
  const H = lstm.config.hiddenSize;
  for (const [name, p] of Object.entries(lstm)) {
    if (name.startsWith('bias_hh') && p instanceof Tensor) for (let i = H; i < 2 * H; i++) p.data[i] = value; // gate order i, f, g, o
  }
}

function createRecurrentModel(kind: Exclude<ModelKind, 'transformer'>, choice: BudgetChoice, io: ModelIO, rng: Random, options: BenchModelOptions): BenchModel {
  const H = choice.width;
  const bound = kind === 'indrnn' ? indRNNBound(options.maxLength, INDRNN_MAX_GAIN) : undefined;
  const cell = createRecurrent(rng, {
    kind,
    inputSize: io.inputSize,
    hiddenSize: H,
    numLayers: ARCHITECTURES[kind].layers,
    ...(kind === 'indrnn' ? { recurrentBound: bound, recurrentInit: { low: 0, high: 1 } } : {}),
  });
  if (kind === 'lstm') setForgetBias(cell, LSTM_FORGET_BIAS);
  const module: RecurrentParams = { cell, head: createLinear(rng, H, io.outputSize) };
  const readout = (hidden: Tensor, readFrom: number): Tensor => {
    const read = readFrom > 0 ? slice(hidden, 0, readFrom) : hidden; // [T - readFrom, B, H]
    return linear(module.head, read); // [T - readFrom, B, O]
  };
  return {
    kind,
    width: H,
    parameters: countParameters(module),
    module,
    recurrent: cell,
    forward(x, readFrom) {
      return readout(runRecurrent(cell, x).output, readFrom); // [T, B, H] -> [T - readFrom, B, O]
    },
    readout,
    afterStep() {
      if (kind === 'indrnn') constrain(cell);
    },
    description: `${ARCHITECTURES[kind].notes}; hidden ${H}${bound !== undefined ? `, |u| <= ${bound.toFixed(5)}` : ''}`,
  };
}

function createTransformerModel(choice: BudgetChoice, rng: Random): BenchModel {
  const model: DecoderModel = createDecoder(rng, choice.transformer!);
  return {
    kind: 'transformer',
    width: choice.width,
    parameters: countParameters(model),
    module: model,
    recurrent: null,
    readout: null,
    forward(x, readFrom) {
      // Every block but the last runs over all T steps; the last one only over the steps read
      // (its keys and values still cover all T): equal to slicing the full output.
      const read = decoder(model, permute(x, [1, 0, 2]), { outputsFrom: readFrom }); // [B, T - readFrom, O]
      return permute(read, [1, 0, 2]); // [T - readFrom, B, O]
    },
    afterStep() {},
    description: `${ARCHITECTURES.transformer.notes}; dModel ${choice.width}, ${choice.transformer!.heads} heads, MLP width ${choice.transformer!.mlpWidth ?? 4 * choice.width}; the last block computes only the positions the task reads`,
  };
}

/**
 * Builds a model of `kind` sized to `budget` parameters for a task's inputs and outputs.
 *
 * @example
 * const m = createBenchModel('lstm', { inputSize: 2, outputSize: 1 }, 4600, new Random(0), { maxLength: 100 });
 * m.forward(x, 99); // x [100, B, 2] -> [1, B, 1]
 */
export function createBenchModel(kind: ModelKind, io: ModelIO, budget: number, rng: Random, options: BenchModelOptions): BenchModel {
  const choice = widthForBudget(kind, budget, io);
  return kind === 'transformer' ? createTransformerModel(choice, rng) : createRecurrentModel(kind, choice, io, rng, options);
}
