/**
 * The tfjs import against TensorFlow.js itself: tfjs-layers models built here (cpu backend),
 * saved as model.json + weights.bin, imported, and run by loopflow on the inputs given to
 * `model.predict` (max abs <= 1e-5). tfjs-layers cannot build a GRU with reset_after true (the
 * Keras 2+ default, the one loopflow imports), so that case is a model.json written as
 * tensorflowjs_converter writes a Keras model, checked against Keras's GRU formula computed
 * with tfjs ops on the Keras-layout weights.
 */
import { tensor, Tensor } from '@loopflow/tensor';
import { convertTfjsModel, TfjsModelJson } from './convert';
import { maxAbsDiff, randomizeWeights, saveTfjsModel, tf, tfjsPredict, tfjsReady } from '../../testing/tfjs';

const TOLERANCE = 1e-5;

/** A parameter of a recurrent module by its PyTorch name. */
const param = (module: object, name: string): Tensor => (module as Record<string, Tensor>)[name];

beforeAll(async () => {
  await tfjsReady();
});

/** Seeded inputs: uniform features [B, T, F], or token ids [B, T] below `vocab`. */
function features(B: number, T: number, F: number, seed: number): number[] {
  return Array.from(tf.randomUniform([B * T * F], -1, 1, 'float32', seed).dataSync());
}
function tokenIds(B: number, T: number, vocab: number, seed: number): number[] {
  return Array.from(tf.randomUniform([B * T], 0, vocab, 'int32', seed).dataSync());
}

/** Saves, imports and compares loopflow's predict with tfjs's on `values` of `shape`. */
async function compare(model: tf.LayersModel, values: number[], shape: number[]): Promise<{ worst: number; imported: ReturnType<typeof convertTfjsModel> }> {
  const { json, bytes } = await saveTfjsModel(model);
  const imported = convertTfjsModel(json, bytes);
  const expected = tfjsPredict(model, tf.tensor(values, shape, shape.length === 2 ? 'int32' : 'float32'));
  const found = imported.predict(tensor(values, shape));
  expect(found.shape).toEqual(expected.shape);
  return { worst: maxAbsDiff(found.data, expected.data), imported };
}

const lstm = (units: number, extra: Record<string, unknown> = {}): tf.layers.Layer => tf.layers.lstm({ units, recurrentActivation: 'sigmoid', ...extra });

describe('convertTfjsModel against model.predict (tfjs-layers 4.22, cpu)', () => {
  it('LSTM on features, final state through a softmax Dense head', async () => {
    const model = tf.sequential({ layers: [lstm(5, { inputShape: [null, 3] }), tf.layers.dense({ units: 4, activation: 'softmax' })] });
    randomizeWeights(model, 1);
    const { worst, imported } = await compare(model, features(2, 6, 3, 11), [2, 6, 3]);
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
    expect(param(imported.recurrent[0], 'weight_ih_l0').shape).toEqual([20, 3]); // [4H, I]
    expect(param(imported.recurrent[0], 'weight_hh_l0').shape).toEqual([20, 5]);
  });

  it('Embedding + stacked LSTM with return_sequences + Dense per step (one module, numLayers 2)', async () => {
    const model = tf.sequential({
      layers: [tf.layers.embedding({ inputDim: 11, outputDim: 4, inputLength: 7 }), lstm(6, { returnSequences: true }), lstm(6, { returnSequences: true }), tf.layers.dense({ units: 11, activation: 'softmax' })],
    });
    randomizeWeights(model, 2);
    const { worst, imported } = await compare(model, tokenIds(3, 7, 11, 12), [3, 7]);
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
    expect(imported.recurrent).toHaveLength(1);
    expect(imported.recurrent[0].config.numLayers).toBe(2);
    expect(imported.returnSequences).toBe(true);
  });

  it('SimpleRNN tanh then relu of another size (two stacks), Dense relu then linear; use_bias false', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.simpleRNN({ units: 5, returnSequences: true, inputShape: [null, 2] }),
        tf.layers.simpleRNN({ units: 3, activation: 'relu', useBias: false }),
        tf.layers.dropout({ rate: 0.5 }),
        tf.layers.dense({ units: 4, activation: 'relu', useBias: false }),
        tf.layers.dense({ units: 2 }),
      ],
    });
    randomizeWeights(model, 3);
    const { worst, imported } = await compare(model, features(2, 5, 2, 13), [2, 5, 2]);
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
    expect(imported.recurrent.map((m) => [m.kind, m.config.nonlinearity, m.config.hiddenSize])).toEqual([['rnn', 'tanh', 5], ['rnn', 'relu', 3]]);
  });

  it('Bidirectional LSTM (concat), stacked, return_sequences then final state, sigmoid head', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.bidirectional({ layer: lstm(4, { returnSequences: true }) as tf.RNN, mergeMode: 'concat', inputShape: [6, 3] }),
        tf.layers.bidirectional({ layer: lstm(4) as tf.RNN, mergeMode: 'concat' }),
        tf.layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    randomizeWeights(model, 4);
    const { worst, imported } = await compare(model, features(3, 6, 3, 14), [3, 6, 3]);
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
    expect(imported.recurrent[0].config).toMatchObject({ numLayers: 2, bidirectional: true });
    expect(param(imported.recurrent[0], 'weight_ih_l1_reverse').shape).toEqual([16, 8]);
  });

  it('TimeDistributed(Dense) then an Activation layer: Dense with that activation at every step', async () => {
    const model = tf.sequential({
      layers: [lstm(4, { returnSequences: true, inputShape: [null, 3] }), tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 5 }) }), tf.layers.activation({ activation: 'softmax' })],
    });
    randomizeWeights(model, 6);
    const { worst, imported } = await compare(model, features(2, 4, 3, 16), [2, 4, 3]);
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
    expect(imported.dense.map((d) => d.activation)).toEqual(['softmax']);
  });

  it('Bidirectional LSTM with return_sequences: the output per step is [forward, backward]', async () => {
    const model = tf.sequential({
      layers: [tf.layers.embedding({ inputDim: 9, outputDim: 3 }), tf.layers.bidirectional({ layer: lstm(3, { returnSequences: true }) as tf.RNN, mergeMode: 'concat' }), tf.layers.dense({ units: 9, activation: 'softmax' })],
    });
    randomizeWeights(model, 5);
    const { worst } = await compare(model, tokenIds(2, 5, 9, 15), [2, 5]);
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
  });
});

/** Keras's GRU with reset_after (keras/layers/rnn/gru.py, GRUCell.call), with tfjs ops on the Keras-layout weights: the final state [B, H]. */
function kerasGru(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor2D, returnSequences: boolean, backwards = false): tf.Tensor {
  const [B, T] = x.shape;
  const H = recurrentKernel.shape[0];
  let h: tf.Tensor2D = tf.zeros([B, H]);
  const outputs: tf.Tensor2D[] = [];
  const [inputBias, recurrentBias] = tf.split(bias, 2, 0);
  for (let s = 0; s < T; s++) {
    const t = backwards ? T - 1 - s : s;
    const xt = tf.reshape(tf.slice(x, [0, t, 0], [B, 1, x.shape[2]]), [B, x.shape[2]]) as tf.Tensor2D;
    const [xz, xr, xh] = tf.split(tf.add(tf.matMul(xt, kernel), inputBias), 3, 1);
    const [rz, rr, rh] = tf.split(tf.add(tf.matMul(h, recurrentKernel), recurrentBias), 3, 1);
    const z = tf.sigmoid(tf.add(xz, rz));
    const r = tf.sigmoid(tf.add(xr, rr));
    const hh = tf.tanh(tf.add(xh, tf.mul(r, rh)));
    h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh)) as tf.Tensor2D;
    outputs[t] = h;
  }
  return returnSequences ? tf.stack(outputs, 1) : h;
}

/** A model.json as tensorflowjs_converter writes a tf.keras 2 model (model_config, InputLayer, weights named layer/cell/role, sorted). */
function kerasGruModelJson(I: number, H1: number, H2: number, classes: number): TfjsModelJson {
  const gru = (name: string, units: number, returnSequences: boolean) => ({
    class_name: 'GRU',
    config: { name, trainable: true, dtype: 'float32', return_sequences: returnSequences, return_state: false, go_backwards: false, stateful: false, unroll: false, time_major: false, units, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, dropout: 0, recurrent_dropout: 0, reset_after: true },
  });
  const weight = (name: string, shape: number[]) => ({ name, shape, dtype: 'float32' });
  return {
    format: 'layers-model',
    generatedBy: 'keras v2.13.1',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      keras_version: '2.13.1',
      backend: 'tensorflow',
      model_config: {
        class_name: 'Sequential',
        config: {
          name: 'sequential',
          layers: [
            { class_name: 'InputLayer', config: { batch_input_shape: [null, null, I], dtype: 'float32', sparse: false, ragged: false, name: 'gru_input' } },
            gru('gru', H1, true),
            { class_name: 'Bidirectional', config: { name: 'bidirectional', trainable: true, dtype: 'float32', layer: gru('gru_1', H2, false), merge_mode: 'concat' } },
            { class_name: 'Dense', config: { name: 'dense', trainable: true, dtype: 'float32', units: classes, activation: 'softmax', use_bias: true } },
          ],
        },
      },
    },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: [
          weight('bidirectional/backward_gru_1/gru_cell/bias', [2, 3 * H2]),
          weight('bidirectional/backward_gru_1/gru_cell/kernel', [H1, 3 * H2]),
          weight('bidirectional/backward_gru_1/gru_cell/recurrent_kernel', [H2, 3 * H2]),
          weight('bidirectional/forward_gru_1/gru_cell/bias', [2, 3 * H2]),
          weight('bidirectional/forward_gru_1/gru_cell/kernel', [H1, 3 * H2]),
          weight('bidirectional/forward_gru_1/gru_cell/recurrent_kernel', [H2, 3 * H2]),
          weight('dense/bias', [classes]),
          weight('dense/kernel', [2 * H2, classes]),
          weight('gru/gru_cell/bias', [2, 3 * H1]),
          weight('gru/gru_cell/kernel', [I, 3 * H1]),
          weight('gru/gru_cell/recurrent_kernel', [H1, 3 * H1]),
        ],
      },
    ],
  };
}

describe('convertTfjsModel: GRU with reset_after (Keras 2+), against the Keras formula', () => {
  it('GRU -> Bidirectional GRU -> Dense softmax', () => {
    const [I, H1, H2, C, B, T] = [3, 4, 3, 5, 2, 6];
    const json = kerasGruModelJson(I, H1, H2, C);
    const values = new Map<string, tf.Tensor>();
    json.weightsManifest[0].weights.forEach((w, i) => values.set(w.name, tf.randomUniform(w.shape, -0.6, 0.6, 'float32', 100 + i)));
    const bytes = new Uint8Array(json.weightsManifest[0].weights.flatMap((w) => Array.from(new Uint8Array((values.get(w.name) as tf.Tensor).dataSync<'float32'>().slice().buffer))));
    const x = features(B, T, I, 21);
    const w = (name: string) => values.get(name) as tf.Tensor2D;
    const xs = tf.tensor3d(x, [B, T, I]);
    const first = kerasGru(xs, w('gru/gru_cell/kernel'), w('gru/gru_cell/recurrent_kernel'), w('gru/gru_cell/bias'), true) as tf.Tensor3D;
    const forward = kerasGru(first, w('bidirectional/forward_gru_1/gru_cell/kernel'), w('bidirectional/forward_gru_1/gru_cell/recurrent_kernel'), w('bidirectional/forward_gru_1/gru_cell/bias'), false);
    const backward = kerasGru(first, w('bidirectional/backward_gru_1/gru_cell/kernel'), w('bidirectional/backward_gru_1/gru_cell/recurrent_kernel'), w('bidirectional/backward_gru_1/gru_cell/bias'), false, true);
    const expected = tf.softmax(tf.add(tf.matMul(tf.concat([forward, backward], 1) as tf.Tensor2D, w('dense/kernel')), w('dense/bias')));

    const imported = convertTfjsModel(json, bytes);
    const found = imported.predict(tensor(x, [B, T, I]));
    expect(found.shape).toEqual([B, C]);
    expect(maxAbsDiff(found.data, expected.dataSync())).toBeLessThanOrEqual(TOLERANCE);
    expect(imported.recurrent.map((m) => [m.kind, m.config.bidirectional])).toEqual([['gru', false], ['gru', true]]);
    // Keras 3 names weights by their path from the model: the same layers are found
    const pathNamed: TfjsModelJson = { ...json, weightsManifest: [{ ...json.weightsManifest[0], weights: json.weightsManifest[0].weights.map((s) => ({ ...s, name: `sequential/${s.name}` })) }] };
    expect(Array.from(convertTfjsModel(pathNamed, bytes).predict(tensor(x, [B, T, I])).data)).toEqual(Array.from(found.data));
    // Keras's recurrent bias (row 1, gates z, r, h) is loopflow's bias_hh (gates r, z, n)
    const kerasBias = w('gru/gru_cell/bias').dataSync();
    expect(Array.from(param(imported.recurrent[0], 'bias_hh_l0').data.subarray(0, H1))).toEqual(Array.from(kerasBias.subarray(3 * H1 + H1, 3 * H1 + 2 * H1)));
  });
});

describe('convertTfjsModel refuses what it cannot run the same way, naming the layer', () => {
  async function saved(layers: tf.layers.Layer[]): Promise<{ json: TfjsModelJson; bytes: Uint8Array }> {
    return saveTfjsModel(tf.sequential({ layers }));
  }
  const refusal = (json: TfjsModelJson, bytes: Uint8Array): { code?: string; message: string } => {
    try {
      convertTfjsModel(json, bytes);
    } catch (e) {
      return { code: (e as { code?: string }).code, message: (e as Error).message };
    }
    throw new Error('expected a refusal');
  };

  it("tfjs-layers' default recurrent_activation hard_sigmoid", async () => {
    const { json, bytes } = await saved([tf.layers.lstm({ units: 2, inputShape: [null, 3], name: 'hard' })]);
    const e = refusal(json, bytes);
    expect(e.code).toBe('TFJS_UNSUPPORTED');
    expect(e.message).toMatch(/'hard'.*recurrent_activation 'hard_sigmoid'.*recurrentActivation: 'sigmoid'/);
  });

  it('a GRU with reset_after false (all that tfjs-layers builds)', async () => {
    const { json, bytes } = await saved([tf.layers.gru({ units: 2, inputShape: [null, 3], recurrentActivation: 'sigmoid', name: 'before' })]);
    const e = refusal(json, bytes);
    expect(e.code).toBe('TFJS_GRU_RESET_BEFORE');
    expect(e.message).toMatch(/'before'.*reset_after=True/);
  });

  it.each([
    ['stateful', () => lstm(2, { batchInputShape: [1, 4, 3], stateful: true, name: 'x' }), /stateful is true/],
    ['go_backwards', () => lstm(2, { inputShape: [null, 3], goBackwards: true, name: 'x' }), /go_backwards is true/],
    ['an LSTM activation', () => lstm(2, { inputShape: [null, 3], activation: 'relu', name: 'x' }), /activation 'relu'/],
  ])('%s', async (_what, make, message) => {
    const { json, bytes } = await saved([make()]);
    const e = refusal(json, bytes);
    expect(e.code).toBe('TFJS_UNSUPPORTED');
    expect(e.message).toMatch(/layer 'x'/);
    expect(e.message).toMatch(message);
  });

  it('a layer class, merge_mode, mask_zero, a functional model', async () => {
    const conv = await saved([tf.layers.conv1d({ filters: 2, kernelSize: 2, inputShape: [5, 3], name: 'conv' }), lstm(2)]);
    expect(refusal(conv.json, conv.bytes)).toMatchObject({ code: 'TFJS_UNSUPPORTED', message: expect.stringMatching(/'conv'.*Conv1D/) });
    const sum = await saved([tf.layers.bidirectional({ layer: lstm(2) as tf.RNN, mergeMode: 'sum', inputShape: [4, 3], name: 'bi' })]);
    expect(refusal(sum.json, sum.bytes)).toMatchObject({ code: 'TFJS_UNSUPPORTED', message: expect.stringMatching(/'bi'.*merge_mode "sum"/) });
    const masked = await saved([tf.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true, name: 'emb' }), lstm(2)]);
    expect(refusal(masked.json, masked.bytes)).toMatchObject({ code: 'TFJS_UNSUPPORTED', message: expect.stringMatching(/'emb'.*mask_zero/) });
    const input = tf.input({ shape: [4, 3] });
    const functional = tf.model({ inputs: input, outputs: lstm(2).apply(input) as tf.SymbolicTensor });
    const f = await saveTfjsModel(functional);
    expect(refusal(f.json, f.bytes)).toMatchObject({ code: 'TFJS_UNSUPPORTED', message: expect.stringMatching(/only Sequential/) });
  });

  it('weights: a dtype other than float32, short, extra, missing', async () => {
    const { json, bytes } = await saved([lstm(2, { inputShape: [null, 3], name: 'w' }), tf.layers.dense({ units: 1, name: 'd' })]);
    const copy = (): TfjsModelJson => JSON.parse(JSON.stringify(json));
    const int = copy();
    int.weightsManifest[0].weights[0].dtype = 'int32';
    expect(refusal(int, bytes)).toMatchObject({ code: 'TFJS_WEIGHTS', message: expect.stringMatching(/'w\/kernel' has dtype "int32".*float32/) });
    expect(refusal(json, bytes.subarray(0, bytes.length - 4))).toMatchObject({ code: 'TFJS_WEIGHTS', message: expect.stringMatching(/'d\/bias' \[1\] needs bytes .* \(4 missing\)/) });
    expect(refusal(json, new Uint8Array([...bytes, 0, 0, 0, 0]))).toMatchObject({ code: 'TFJS_WEIGHTS', message: expect.stringMatching(/has \d+ bytes but weightsManifest describes \d+/) });
    const renamed = copy();
    renamed.weightsManifest[0].weights[1].name = 'w/recurrent';
    expect(refusal(renamed, bytes)).toMatchObject({ code: 'TFJS_WEIGHTS', message: expect.stringMatching(/layer 'w': no weight w\/...\/recurrent_kernel/) });
    const reshaped = copy();
    reshaped.weightsManifest[0].weights[3].shape = [1, 2];
    expect(refusal(reshaped, bytes)).toMatchObject({ code: 'TFJS_WEIGHTS', message: expect.stringMatching(/layer 'd': weight 'd\/kernel' has shape \[1, 2\]; expected \[2, 1\]/) });
  });
});

