/**
 * Imported tfjs models as pipeline models: softmax of the pipeline model's output (its logits)
 * equals tfjs's `model.predict`, for a language model (tokens, every step), a sigmoid
 * classifier (two classes, logits [0, z]) and a linear forecaster; and what a run folder
 * cannot hold is refused.
 */
import { ones, permute, softmax, tensor, zeros } from '@loopflow/tensor';
import { Vocabulary } from '@loopflow/data';
import type { Batch } from '@loopflow/data';
import { createStreamer } from '@loopflow/cells';
import type { RecurrentModule } from '@loopflow/cells';
import { convertTfjsModel } from './convert';
import { tfjsPipelineModel } from './pipeline-model';
import { maxAbsDiff, randomizeWeights, saveTfjsModel, tf, tfjsPredict, tfjsReady } from '../../testing/tfjs';

const TOLERANCE = 1e-5;

beforeAll(async () => {
  await tfjsReady();
});

async function imported(layers: tf.layers.Layer[], seed: number) {
  const model = tf.sequential({ layers });
  randomizeWeights(model, seed);
  const { json, bytes } = await saveTfjsModel(model);
  return { model, converted: convertTfjsModel(json, bytes) };
}

/** A time-major batch of `inputs` ([T, B] ids or [T, B, F]). */
function batch(kind: 'tokens' | 'series', inputs: number[], shape: number[]): Batch {
  const [T, B] = shape;
  return { kind, inputs: tensor(inputs, shape), targets: zeros([T, B]), mask: ones([T, B]), lengths: new Array(B).fill(T), size: B };
}

const sigmoidLstm = (units: number, extra: Record<string, unknown> = {}) => tf.layers.lstm({ units, recurrentActivation: 'sigmoid', ...extra });

describe('tfjsPipelineModel', () => {
  it('a token LSTM with a softmax at every step is a language model; its streamer reads the same weights', async () => {
    const vocabulary = Vocabulary.build([['a', 'b', 'c', 'd', 'e']]); // 4 specials + 5 tokens
    const V = vocabulary.size;
    const { model, converted } = await imported([tf.layers.embedding({ inputDim: V, outputDim: 4 }), sigmoidLstm(5, { returnSequences: true }), sigmoidLstm(5, { returnSequences: true }), tf.layers.dense({ units: V, activation: 'softmax' })], 31);
    const { model: pipeline, description, artifacts } = tfjsPipelineModel(converted, { vocabulary: vocabulary.toJSON() });
    expect(description).toMatchObject({ kind: 'recurrent', task: 'language-model', outputSize: V, input: { kind: 'tokens', vocabSize: V }, options: { cell: 'lstm', hiddenSize: 5, numLayers: 2, embeddingSize: 4 } });
    expect(artifacts.vocabulary?.size).toBe(V);
    const [B, T] = [2, 6];
    const ids = Array.from({ length: B * T }, (_, i) => (i * 7 + 3) % V); // [B, T]
    const expected = tfjsPredict(model, tf.tensor(ids, [B, T], 'int32')); // [B, T, V]
    const timeMajor = Array.from(permute(tensor(ids, [B, T]), [1, 0]).data);
    const logits = pipeline.forward(batch('tokens', timeMajor, [T, B]), undefined, { training: false }).output; // [T, B, V]
    expect(maxAbsDiff(permute(softmax(logits, -1), [1, 0, 2]).data, expected.data)).toBeLessThanOrEqual(TOLERANCE);
    // createStreamer on the stack, one token at a time: the same top-layer state as the full run
    const streamer = createStreamer((pipeline.modules as { rnn: RecurrentModule }).rnn);
    const embedded = converted.embedding?.weight.data as Float32Array;
    let h: ArrayLike<number> = [];
    for (let t = 0; t < T; t++) h = streamer.step(embedded.subarray(ids[t] * 4, ids[t] * 4 + 4)); // sequence 0
    const full = converted.predict(tensor(ids.slice(0, T), [1, T])); // [1, T, V]
    const head = converted.dense[0].linear;
    const stepLogits = Array.from({ length: V }, (_, v) => (head.bias as { data: Float32Array }).data[v] + Array.from(h).reduce((s, hj, j) => s + hj * head.weight.data[v * 5 + j], 0));
    expect(maxAbsDiff(softmax(tensor(stepLogits), -1).data, full.data.subarray((T - 1) * V))).toBeLessThanOrEqual(TOLERANCE);
  });

  it('a Dense(1, sigmoid) classifier becomes two classes whose softmax is [1 - p, p]', async () => {
    const { model, converted } = await imported([tf.layers.bidirectional({ layer: sigmoidLstm(3) as tf.RNN, inputShape: [5, 2] }), tf.layers.dense({ units: 1, activation: 'sigmoid' })], 32);
    const { model: pipeline, description } = tfjsPipelineModel(converted, { labels: ['no', 'yes'] });
    expect(description).toMatchObject({ task: 'classification', outputSize: 2, options: { bidirectional: true, pooling: 'last' } });
    const [B, T, F] = [3, 5, 2];
    const x = Array.from(tf.randomUniform([B * T * F], -1, 1, 'float32', 9).dataSync());
    const p = tfjsPredict(model, tf.tensor(x, [B, T, F])).data; // [B, 1]
    const probs = softmax(pipeline.forward(batch('series', Array.from(permute(tensor(x, [B, T, F]), [1, 0, 2]).data), [T, B, F]), undefined, { training: false }).output, -1); // [B, 2]
    expect(maxAbsDiff(Array.from({ length: B }, (_, b) => probs.data[2 * b + 1]), p)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('a linear head on features is a forecaster of one row', async () => {
    const { model, converted } = await imported([tf.layers.simpleRNN({ units: 4, activation: 'relu', inputShape: [null, 3] }), tf.layers.dense({ units: 3 })], 33);
    const { model: pipeline, description } = tfjsPipelineModel(converted);
    expect(description).toMatchObject({ task: 'forecast', horizon: 1, targetFeatures: 3, options: { cell: 'rnn', nonlinearity: 'relu' } });
    const [B, T, F] = [2, 4, 3];
    const x = Array.from(tf.randomUniform([B * T * F], -1, 1, 'float32', 10).dataSync());
    const expected = tfjsPredict(model, tf.tensor(x, [B, T, F])).data; // [B, 3]
    const found = pipeline.forward(batch('series', Array.from(permute(tensor(x, [B, T, F]), [1, 0, 2]).data), [T, B, F]), undefined, { training: false }).output; // [1, B, 3]
    expect(found.shape).toEqual([1, B, 3]);
    expect(maxAbsDiff(found.data, expected)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('refuses what a run folder cannot hold: two stacks, two Dense layers, a vocabulary of another size', async () => {
    const two = await imported([sigmoidLstm(4, { returnSequences: true, inputShape: [null, 2] }), sigmoidLstm(3), tf.layers.dense({ units: 2, activation: 'softmax' })], 34);
    expect(() => tfjsPipelineModel(two.converted)).toThrow(expect.objectContaining({ code: 'TFJS_NOT_A_PIPELINE_MODEL', message: expect.stringMatching(/2 recurrent stacks.*lstm 4, lstm 3/) }));
    const dense = await imported([sigmoidLstm(4, { inputShape: [null, 2] }), tf.layers.dense({ units: 3, activation: 'relu' }), tf.layers.dense({ units: 2, activation: 'softmax' })], 35);
    expect(() => tfjsPipelineModel(dense.converted)).toThrow(expect.objectContaining({ code: 'TFJS_NOT_A_PIPELINE_MODEL', message: expect.stringMatching(/2 Dense layers/) }));
    const lm = await imported([tf.layers.embedding({ inputDim: 7, outputDim: 2 }), sigmoidLstm(3, { returnSequences: true }), tf.layers.dense({ units: 7, activation: 'softmax' })], 36);
    expect(() => tfjsPipelineModel(lm.converted, { vocabulary: Vocabulary.build([['a', 'b']]).toJSON() })).toThrow(expect.objectContaining({ code: 'TFJS_VOCABULARY', message: expect.stringMatching(/6 entries but the Embedding .* input_dim 7/) }));
  });
});
