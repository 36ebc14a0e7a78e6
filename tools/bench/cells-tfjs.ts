/**
 * The TensorFlow.js side of the `cells` bench (@tensorflow/tfjs 4.22, a dev dependency), on
 * its CPU backend or its WebAssembly backend (single-thread SIMD build; the threaded build
 * does not start in Node without patching). Given the same work as loopflow:
 *
 * Training step (one iteration): `model.trainOnBatch(x, y)` on a `tf.sequential` of
 * `lstm | gru | simpleRNN` (128 units, `returnSequences`, recurrentActivation 'sigmoid' -
 * its default is hardSigmoid - and tanh) and `dense(64, softmax)` applied at every step,
 * loss 'categoricalCrossentropy' (mean over B * T), `tf.train.adam(1e-3, 0.9, 0.999, 1e-8)`.
 * `x` and `y` are one-hot `[B, T, 64]` (Keras is batch-major). tfjs runs its RNN as a time
 * loop of ops and differentiates it (full BPTT). Its GRU applies the reset gate before the
 * recurrent product (loopflow's, like PyTorch's, after it): the same products either way.
 *
 * Batch-1 streaming: a stateful `lstm` layer built with `batchInputShape [1, 1, 64]`; per
 * step `tf.tidy(() => layer.apply(x))` on a prebuilt one-hot `[1, 1, 64]` (the layer keeps
 * its state in its variables), then `dataSync()` of the output `[1, 128]` and `dispose()`.
 * No head, as on the loopflow side. `layer.apply` measured faster than `model.predict`,
 * whose per-call input checks and batching cost more here.
 */
import * as tf from '@tensorflow/tfjs';
import type { CellName, ModelSize } from './cells-config';
import { InferenceFactory, TrainingFactory, Workload, randomTokens, trainingTokens } from './cells-workload';
import { BenchError } from './errors';

/** A TensorFlow.js backend the bench compares with. */
export type TfjsBackend = 'cpu' | 'wasm';

/**
 * Makes `backend` the active TensorFlow.js backend. For 'wasm': points the loader at the
 * binaries inside the npm package and turns off the multithreaded build.
 */
export async function useTfjsBackend(backend: TfjsBackend): Promise<void> {
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The folder of the package's main file (no `path` import: the browser bench bundles this file).
    wasm.setWasmPaths(require.resolve('@tensorflow/tfjs-backend-wasm').replace(/[^/\\]+$/, ''));
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs: backend '${backend}' failed to initialize`);
  await tf.ready();
}

async function tfjsPath(): Promise<string> {
  const backend = tf.getBackend();
  if (backend !== 'wasm') return `tfjs ${tf.version.tfjs} backend=${backend}`;
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return `tfjs ${tf.version.tfjs} backend=wasm simd=${simd} threads=${threads}`;
}

function recurrentLayer(cell: CellName, hidden: number, extra: Record<string, unknown>): tf.layers.Layer {
  const args = { units: hidden, ...extra };
  switch (cell) {
    case 'lstm': return tf.layers.lstm({ ...args, recurrentActivation: 'sigmoid' });
    case 'gru': return tf.layers.gru({ ...args, recurrentActivation: 'sigmoid' });
    case 'rnn': return tf.layers.simpleRNN({ ...args, activation: 'tanh' });
    default: throw new BenchError('BENCH_CASE', `cells bench: tfjs runs the recurrent cells (lstm, gru, rnn) only, not ${cell}`);
  }
}

/** `[B, T, V]` one-hot from time-major `[T, B]` tokens. */
function batchMajorOneHot(tokens: Int32Array, size: ModelSize): tf.Tensor3D {
  const { steps, batch, vocab } = size;
  return tf.tidy(() => {
    const timeMajor = tf.tensor2d(tokens, [steps, batch], 'int32');
    return tf.oneHot(timeMajor.transpose(), vocab).toFloat() as tf.Tensor3D;
  });
}

/**
 * A tfjs training workload on `backend` (see the file comment); `setup` makes the backend
 * active (default {@link useTfjsBackend}; the browser bench sets up its own).
 */
export function tfjsTraining(backend: TfjsBackend, setup: () => Promise<void> = () => useTfjsBackend(backend)): TrainingFactory {
  return async (cell, size, seed) => {
    await setup();
    const model = tf.sequential({
      layers: [
        recurrentLayer(cell, size.hidden, { returnSequences: true, inputShape: [size.steps, size.vocab] }),
        tf.layers.dense({ units: size.vocab, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(1e-3, 0.9, 0.999, 1e-8), loss: 'categoricalCrossentropy' });
    const { inputs, targets } = trainingTokens(size, seed);
    const x = batchMajorOneHot(inputs, size);
    const y = batchMajorOneHot(targets, size);
    let loss: number | undefined;
    const pathText = await tfjsPath();
    const workload: Workload = {
      stepsPerIteration: size.steps * size.batch,
      async iterate() {
        const value = await model.trainOnBatch(x, y);
        loss = Array.isArray(value) ? value[0] : value;
      },
      describe: () => `${pathText} model.trainOnBatch`,
      lastLoss: () => loss,
      dispose() {
        tf.dispose([x, y]);
        model.dispose();
      },
    };
    return workload;
  };
}

/** A tfjs batch-1 stateful-LSTM streaming workload on `backend`: `chunk` steps per iteration; `setup` as in {@link tfjsTraining}. */
export function tfjsInference(backend: TfjsBackend, setup: () => Promise<void> = () => useTfjsBackend(backend)): InferenceFactory {
  return async (size, chunk, seed) => {
    await setup();
    const layer = recurrentLayer('lstm', size.hidden, { stateful: true, batchInputShape: [1, 1, size.vocab] });
    const model = tf.sequential({ layers: [layer] }); // builds the layer and its state variables
    const steps = Array.from({ length: size.vocab }, (_, token) => tf.tidy(() => tf.oneHot(tf.tensor2d([[token]], [1, 1], 'int32'), size.vocab).toFloat())); // [1, 1, V] each
    const tokens = randomTokens(chunk, size.vocab, seed);
    const pathText = await tfjsPath();
    let checksum = 0;
    return {
      stepsPerIteration: chunk,
      iterate() {
        for (let i = 0; i < chunk; i++) {
          const h = tf.tidy(() => layer.apply(steps[tokens[i]]) as tf.Tensor); // [1, H]
          checksum += h.dataSync()[0];
          h.dispose();
        }
      },
      describe: () => `${pathText} stateful layer.apply+dataSync${Number.isFinite(checksum) ? '' : ' (non-finite state!)'}`,
      lastLoss: () => undefined,
      dispose() {
        tf.dispose(steps);
        model.dispose();
      },
    };
  };
}
