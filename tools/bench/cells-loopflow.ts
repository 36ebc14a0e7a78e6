/**
 * The loopflow side of the `cells` bench, through public package APIs only.
 *
 * Training step (one iteration), on one of two inputs of the same model and loss:
 * - `dense` (impl `loopflow`): `runRecurrent(layer, x)` on the one-hot input `x = oneHot(ids, V)`
 *   as a float32 `[T, B, V]` tensor (built once): the input projection is the product
 *   `[T*B, V] @ W_ih^T`, the same work TensorFlow.js does, so the ratios and targets use it;
 * - `tokens` (impl `loopflow-tokens`): `runRecurrentTokens(layer, { ids, shape: [T, B] })` on the
 *   time-major token ids (equal to the dense path to float32 rounding; its input projection is
 *   a row gather from W_ih + b_ih, and dW_ih a scatter-add: cheaper than the product);
 * then a Linear head on the outputs `[T, B, H] -> [T, B, V]`, mean `crossEntropy`
 * over all T * B positions, `backward()` through the whole sequence (full BPTT),
 * `adam.step()`. Whatever
 * layer runner is installed (`setLayerRunner`; importing @loopflow/cells installs the fused
 * kernels) runs the recurrence; the bench wraps it to count the layer calls it took and
 * declined (declined calls ran the composed path), and reports both.
 *
 * Batch-1 streaming: `createStreamer(lstm).stepIndex(token)` per step: reads row `token` of
 * its stored `W_ih^T`, one `[1, H] @ [H, 4H]` product and the gates, into preallocated
 * buffers; returns the new hidden state `[H]` (no head).
 */
import { Random, Tensor, envVar, getBackendName, oneHot, reshape } from '@loopflow/tensor';
import { createLinear, linear, parameters } from '@loopflow/layers';
import { createGRU, createLSTM, createRNN, createStreamer, getLayerRunner, runRecurrent, runRecurrentTokens, setLayerRunner } from '@loopflow/cells';
import type { LayerRunner, RecurrentModule } from '@loopflow/cells';
import { crossEntropy } from '@loopflow/losses';
import { adam } from '@loopflow/optimizers';
import type { CellName, ModelSize } from './cells-config';
import { isAttention } from './cells-config';
import { InferenceFactory, TrainingFactory, Workload, randomTokens, trainingTokens } from './cells-workload';
import { BenchError } from './errors';

const CREATE = { lstm: createLSTM, gru: createGRU, rnn: createRNN } as const;

/** Calls of the installed layer runner that it took, and that it declined (the composed path ran). */
interface RunnerCount {
  readonly name: string | null;
  accepted: number;
  declined: number;
  /** Puts the runner found at the start back. */
  restore(): void;
}

/**
 * Wraps the installed layer runner (`getLayerRunner`, e.g. the fused kernels) to count which
 * path each `runRecurrent` layer call took; `restore()` reinstalls the original.
 */
function countRunnerCalls(): RunnerCount {
  const runner: LayerRunner | null = getLayerRunner();
  const count: RunnerCount = {
    name: runner ? runner.name || 'anonymous' : null,
    accepted: 0,
    declined: 0,
    restore: () => void setLayerRunner(runner),
  };
  if (runner) {
    setLayerRunner((args) => {
      const result = runner(args);
      if (result) count.accepted++;
      else count.declined++;
      return result;
    });
  }
  return count;
}

/** The float32 backend, and LOOPFLOW_THREADS (threads of large products; unset = the backend's default, up to 2). */
function backendText(): string {
  return `backend=${getBackendName()} LOOPFLOW_THREADS=${envVar('LOOPFLOW_THREADS') || 'unset'}`;
}

/** The training path loopflow ran: the float32 backend, and the layer runner with the calls it took / declined. */
function trainingPath(count: RunnerCount): string {
  const runner = count.name === null ? 'none(composed)' : `${count.name}(took ${count.accepted}, declined ${count.declined})`;
  return `${backendText()} layerRunner=${runner}`;
}

function createLayer(cell: CellName, size: ModelSize, rng: Random): RecurrentModule {
  if (isAttention(cell)) throw new BenchError('BENCH_CASE', `cells bench: ${cell} is not a recurrent cell (cells-attention.ts trains it)`);
  return CREATE[cell](rng, { inputSize: size.vocab, hiddenSize: size.hidden });
}

/** The input of loopflow's recurrent training case: the dense one-hot tensor, or the token ids. */
export type LoopflowInput = 'dense' | 'tokens';

/** A loopflow training workload on `input` (see the file comment). */
export const loopflowTraining = (input: LoopflowInput): TrainingFactory => async (cell, size, seed) => {
  const rng = new Random(seed);
  const model = { recurrent: createLayer(cell, size, rng), head: createLinear(rng, size.hidden, size.vocab) };
  const optimizer = adam(parameters(model), { lr: 1e-3 });
  const { inputs, targets } = trainingTokens(size, seed);
  const tokens = { ids: inputs, shape: [size.steps, size.batch] as const }; // [T, B] token ids
  const dense = input === 'dense' ? reshape(oneHot(inputs, size.vocab), [size.steps, size.batch, size.vocab]) : null; // [T, B, V] float32
  const runnerCount = countRunnerCalls();
  let loss: number | undefined;
  const workload: Workload = {
    stepsPerIteration: size.steps * size.batch,
    iterate() {
      optimizer.zeroGrad();
      const { output } = dense ? runRecurrent(model.recurrent, dense) : runRecurrentTokens(model.recurrent, tokens); // [T, B, H]
      const logits: Tensor = linear(model.head, output); // [T, B, V]
      const objective = crossEntropy(logits, targets); // mean over T * B
      objective.backward();
      optimizer.step();
      loss = objective.data[0];
    },
    describe: () => `${trainingPath(runnerCount)} input=${dense ? 'one-hot[T,B,V]' : 'token-ids'}`,
    lastLoss: () => loss,
    dispose: () => runnerCount.restore(),
  };
  return workload;
};

/** A loopflow batch-1 LSTM streaming workload: `chunk` calls of `stepIndex` per iteration. */
export const loopflowInference: InferenceFactory = async (size, chunk, seed) => {
  const streamer = createStreamer(createLayer('lstm', size, new Random(seed)));
  const tokens = randomTokens(chunk, size.vocab, seed);
  let checksum = 0;
  return {
    stepsPerIteration: chunk,
    iterate() {
      for (let i = 0; i < chunk; i++) checksum += streamer.stepIndex(tokens[i])[0];
    },
    describe: () => `${backendText()} streamer.stepIndex${Number.isFinite(checksum) ? '' : ' (non-finite state!)'}`,
    lastLoss: () => undefined,
    dispose() {},
  };
};
