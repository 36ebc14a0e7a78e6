/**
 * An imported TensorFlow.js model as a pipeline model (the `recurrent` family), so it can be
 * saved as a run folder (`saveModel`) and used as a trained one: `loopflow inspect --samples`,
 * `loadModel`, `createStreamer` on its `rnn`. No file access.
 */
import { LoopflowError, Random, Tensor, tensor } from '@loopflow/tensor';
import { loadStateDict, stateDict } from '@loopflow/layers';
import { Vocabulary } from '@loopflow/data';
import type { VocabularyJSON } from '@loopflow/data';
import type { Artifacts } from '../../vocabulary/artifacts';
import type { ModelDescription, PipelineModel } from '../../vocabulary/model';
import type { Task } from '../../vocabulary/prepared';
import { buildModel } from '../../model/builders';
import type { RecurrentModelOptions } from '../../model/recurrent-model';
import type { TfjsImportedModel } from './convert';

/** Options of {@link tfjsPipelineModel}. */
export interface TfjsPipelineOptions {
  /** The vocabulary of a token model (loopflow's JSON: `<pad>`, `<unk>`, `<bos>`, `<eos>` at ids 0-3), as many entries as the Embedding's input_dim; needed for `inspect --samples`. */
  vocabulary?: VocabularyJSON;
  /** Class names of a classifier, one per class. */
  labels?: string[];
}

/** A pipeline model made from an imported one, with its description and artifacts (what model.json records). */
export interface TfjsPipelineModel {
  model: PipelineModel;
  description: ModelDescription;
  artifacts: Artifacts;
}

function notPipeline(imported: TfjsImportedModel, why: string): never {
  throw new LoopflowError(
    'TFJS_NOT_A_PIPELINE_MODEL',
    `tfjs import: model '${imported.name}' ${why}; a run folder holds a pipeline 'recurrent' model: one stack of LSTM, GRU or SimpleRNN layers of one size (after an optional Embedding) and one Dense layer — ` +
      'softmax at every step of a token model (a language model), softmax (or sigmoid with 1 unit) on the final state (a classifier), or linear on the final state of a feature model (a forecaster); ' +
      'convertTfjsModel still runs this model (its predict), only not as a run folder',
  );
}

/** The pipeline task the Keras head makes, or a refusal naming why. */
function taskOf(imported: TfjsImportedModel): Task {
  const head = imported.dense[0];
  const tokens = imported.plan.input.kind === 'tokens';
  if (imported.returnSequences) {
    if (head.activation !== 'softmax' || !tokens) notPipeline(imported, `gives an output at every step through a ${head.activation} Dense layer on ${tokens ? 'tokens' : 'features'} (the pipeline's per-step model is a language model: token input, softmax)`);
    if (imported.recurrent[0].config.bidirectional) notPipeline(imported, 'reads its tokens in both directions, so it sees the tokens a language model predicts');
    return 'language-model';
  }
  if (head.activation === 'softmax' || (head.activation === 'sigmoid' && head.linear.config.outFeatures === 1)) return 'classification';
  if (head.activation === 'linear' && !tokens) return 'forecast';
  return notPipeline(imported, `ends with a ${head.activation} Dense layer of ${head.linear.config.outFeatures} unit(s) on ${tokens ? 'tokens' : 'features'}`);
}

/**
 * The imported model as a pipeline `recurrent` model with the same weights: its output is the
 * head's logits (the pipeline applies softmax itself), so softmax(forward) = Keras's predict.
 * A Dense(1, sigmoid) classifier becomes two classes with logits `[0, z]` (softmax of which is
 * `[1 - sigmoid(z), sigmoid(z)]`, the same probability). Refused with
 * `TFJS_NOT_A_PIPELINE_MODEL` when the model is not one the pipeline builds (two stacks of
 * different sizes, two Dense layers, a per-step head on features...), and with
 * `TFJS_VOCABULARY` when the vocabulary or labels do not fit it.
 *
 * @example const { model, description, artifacts } = tfjsPipelineModel(convertTfjsModel(json, bytes), { vocabulary });
 */
export function tfjsPipelineModel(imported: TfjsImportedModel, options: TfjsPipelineOptions = {}): TfjsPipelineModel {
  if (imported.recurrent.length !== 1) notPipeline(imported, `has ${imported.recurrent.length} recurrent stacks (its layers differ in cell, size or direction: ${imported.recurrent.map((m) => `${m.kind} ${m.config.hiddenSize}${m.config.bidirectional ? ' bidirectional' : ''}`).join(', ')})`);
  if (imported.dense.length !== 1) notPipeline(imported, `has ${imported.dense.length} Dense layers after its recurrent layers`);
  const task = taskOf(imported);
  const rnn = imported.recurrent[0];
  const head = imported.dense[0];
  const input = imported.plan.input;
  const binary = head.activation === 'sigmoid';
  const outputSize = binary ? 2 : head.linear.config.outFeatures;
  const artifacts: Artifacts = {};
  if (options.vocabulary !== undefined) {
    if (input.kind !== 'tokens') throw new LoopflowError('TFJS_VOCABULARY', `tfjs import: a vocabulary was given but model '${imported.name}' reads features, not tokens; leave the vocabulary out`);
    const vocabulary = Vocabulary.fromJSON(options.vocabulary);
    if (vocabulary.size !== input.vocabSize) throw new LoopflowError('TFJS_VOCABULARY', `tfjs import: the vocabulary has ${vocabulary.size} entries but the Embedding '${imported.plan.embeddingLayer}' has input_dim ${input.vocabSize}; give the vocabulary the model was trained with (id i = row i of the embedding)`);
    artifacts.vocabulary = vocabulary;
    if (vocabulary.tokenizer) artifacts.tokenizer = vocabulary.tokenizer;
  }
  if (task === 'language-model' && outputSize !== (input as { vocabSize: number }).vocabSize) notPipeline(imported, `predicts ${outputSize} classes per step from a vocabulary of ${(input as { vocabSize: number }).vocabSize} (a language model predicts the next token)`);
  if (options.labels !== undefined) {
    if (task !== 'classification' || options.labels.length !== outputSize) throw new LoopflowError('TFJS_VOCABULARY', `tfjs import: ${options.labels.length} labels given; model '${imported.name}' is a ${task} model${task === 'classification' ? ` of ${outputSize} classes` : ''}: give one label per class of a classifier`);
    artifacts.labels = options.labels.slice();
  }
  const modelOptions: RecurrentModelOptions = {
    cell: rnn.kind as RecurrentModelOptions['cell'],
    ...(rnn.config.nonlinearity ? { nonlinearity: rnn.config.nonlinearity } : {}),
    hiddenSize: rnn.config.hiddenSize,
    numLayers: rnn.config.numLayers,
    bidirectional: rnn.config.bidirectional,
    dropout: 0,
    ...(input.kind === 'tokens' ? { embeddingSize: input.embeddingSize } : {}),
    ...(task === 'language-model' ? {} : { pooling: 'last' as const }),
  };
  const description: ModelDescription = {
    kind: 'recurrent',
    task,
    options: JSON.parse(JSON.stringify(modelOptions)) as Record<string, unknown>,
    input: input.kind === 'tokens' ? { kind: 'tokens', vocabSize: input.vocabSize } : { kind: 'features', size: input.size },
    outputSize,
    ...(task === 'forecast' ? { horizon: 1, targetFeatures: outputSize } : {}),
  };
  const model = buildModel(description, new Random(0));
  const { weight, bias } = head.linear;
  const width = head.linear.config.inFeatures;
  const headWeights: Record<string, Tensor> = binary
    ? { 'head.weight': tensor([...new Float32Array(width), ...weight.data], [2, width]), 'head.bias': tensor([0, bias ? bias.data[0] : 0], [2]) } // logits [0, z]
    : { 'head.weight': weight, 'head.bias': bias ?? tensor(new Float32Array(outputSize), [outputSize]) };
  loadStateDict(model.modules, {
    ...(imported.embedding ? { 'embedding.weight': imported.embedding.weight } : {}),
    ...Object.fromEntries(Object.entries(stateDict(rnn)).map(([name, t]) => [`rnn.${name}`, t])),
    ...headWeights,
  });
  return { model, description, artifacts };
}
