/**
 * A TensorFlow.js layers model (model.json + its weight bytes) as loopflow modules: Keras's
 * weight layouts moved to loopflow's (= PyTorch's), checked, and a `predict` that runs them
 * as Keras would. No file access (a page can call it; `loadTfjsModel` reads the files in Node).
 *
 * | Keras (tfjs-layers)                 | loopflow (PyTorch)                               |
 * |-------------------------------------|--------------------------------------------------|
 * | LSTM kernel `[I, 4H]` (i, f, c, o)  | `weight_ih_l<k>` `[4H, I]` (i, f, g, o): transposed |
 * | LSTM recurrent_kernel `[H, 4H]`     | `weight_hh_l<k>` `[4H, H]`: transposed            |
 * | LSTM bias `[4H]`                    | `bias_ih_l<k>`; `bias_hh_l<k>` = 0                |
 * | GRU (reset_after) kernel `[I, 3H]` (z, r, h) | `weight_ih_l<k>` `[3H, I]` (r, z, n): blocks reordered, transposed |
 * | GRU bias `[2, 3H]` (input; recurrent) | `bias_ih_l<k>`; `bias_hh_l<k>` (reordered)     |
 * | SimpleRNN kernel `[I, H]`, recurrent_kernel `[H, H]`, bias `[H]` | `weight_ih` `[H, I]`, `weight_hh` `[H, H]`, `bias_ih`; `bias_hh` = 0 |
 * | Bidirectional `forward_*`, `backward_*` | suffix none, `_reverse`; output `[forward, backward]` (merge_mode concat) |
 * | Dense kernel `[in, out]`, bias `[out]` | Linear `weight` `[out, in]`, `bias`                |
 * | Embedding embeddings `[V, E]`       | Embedding `weight` `[V, E]`                       |
 */
import { LoopflowError, Random, Tensor, fmtShape, noGrad, permute, relu, sigmoid, softmax, tanh, tensor } from '@loopflow/tensor';
import { createEmbedding, createLinear, embedding, linear, loadStateDict } from '@loopflow/layers';
import type { EmbeddingModule, LinearModule } from '@loopflow/layers';
import { createRecurrent, runRecurrent } from '@loopflow/cells';
import type { RecurrentModule } from '@loopflow/cells';
import { lastLayerState } from '../../model/pooling';
import { TfjsDenseActivation, TfjsPlan, TfjsRecurrentLayer, planTfjsModel } from './topology';
import { TfjsWeight, decodeTfjsWeights, joinShards } from './weights';

/** model.json of a TensorFlow.js layers model (what `model.save()` writes, or tensorflowjs_converter). */
export interface TfjsModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology: unknown;
  /** Groups of shard files and the weights they hold, in the order of the bytes. */
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string; quantization?: unknown }[] }[];
}

/** A Dense layer of the head: its Linear module and its activation. */
export interface TfjsDenseModule {
  name: string;
  linear: LinearModule;
  activation: TfjsDenseActivation;
}

/**
 * An imported model: loopflow modules with the Keras model's weights, and its Keras layout.
 * Consecutive recurrent layers of one cell, size and direction form one stack (`numLayers`).
 */
export interface TfjsImportedModel {
  /** The Keras model's name. */
  name: string;
  plan: TfjsPlan;
  embedding?: EmbeddingModule;
  /** The recurrent stacks, in order; each reads the previous one's output `[T, B, D*H]`. */
  recurrent: RecurrentModule[];
  /** Whether the last recurrent layer returns its whole sequence (else its final state). */
  returnSequences: boolean;
  dense: TfjsDenseModule[];
  /**
   * Runs the model as Keras's `model.predict`: token ids `[B, T]` (an Embedding model) or
   * features `[B, T, F]`, giving `[B, units]` (last recurrent layer with return_sequences
   * false) or `[B, T, units]`, the last Dense activation applied.
   */
  predict(inputs: Tensor): Tensor;
}

function weightError(layer: string, message: string): never {
  throw new LoopflowError('TFJS_WEIGHTS', `tfjs import: layer '${layer}': ${message}`);
}

/** The role of a weight (`kernel`, `recurrent_kernel`, `bias`, `embeddings`): its name's last part, `:0` dropped. */
function roleOf(name: string): string {
  const last = name.split('/').pop() as string;
  return last.replace(/:\d+$/, '');
}

/** Takes the weights of one layer (by its path in the weight names) out of the pool, by role. */
class WeightPool {
  private readonly left: Map<string, TfjsWeight>;
  constructor(weights: Map<string, TfjsWeight>) {
    this.left = new Map(weights);
  }

  take(layer: string, prefix: string, role: string, shape: number[] | null): TfjsWeight | null {
    // the layer's path anywhere in the name: `lstm_1/kernel` (tfjs), `lstm/lstm_cell/kernel` (tf.keras), `sequential/lstm/lstm_cell/kernel` (Keras 3 paths)
    const found = [...this.left.values()].filter((w) => `/${w.name}`.includes(`/${prefix}`) && roleOf(w.name) === role);
    if (found.length > 1) weightError(layer, `${found.length} weights named ${prefix}.../${role}: ${found.map((w) => w.name).join(', ')}; expected one`);
    if (found.length === 0) {
      if (shape === null) return null;
      weightError(layer, `no weight ${prefix}.../${role} in weightsManifest (expected shape [${shape.join(', ')}]); the manifest has ${[...this.left.keys()].join(', ') || 'no weights left'}`);
    }
    const weight = found[0];
    if (shape !== null && (weight.shape.length !== shape.length || weight.shape.some((d, i) => d !== shape[i]))) {
      weightError(layer, `weight '${weight.name}' has shape [${weight.shape.join(', ')}]; expected [${shape.join(', ')}]`);
    }
    this.left.delete(weight.name);
    return weight;
  }

  /** Names not taken by any layer (optimizer state aside). */
  rest(): string[] {
    return [...this.left.keys()].filter((name) => !/^optimizer/i.test(name));
  }
}

/**
 * Keras `[in, G*H]` (gate blocks in Keras's order) -> loopflow `[G*H, in]`: transposed, with
 * block `order[g]` of Keras at block g of loopflow.
 */
function kerasToRows(data: Float32Array, inDim: number, hidden: number, order: readonly number[]): Float32Array {
  const gates = order.length;
  const out = new Float32Array(gates * hidden * inDim);
  for (let g = 0; g < gates; g++) {
    const source = order[g] * hidden;
    for (let j = 0; j < hidden; j++) {
      const row = (g * hidden + j) * inDim;
      for (let i = 0; i < inDim; i++) out[row + i] = data[i * gates * hidden + source + j];
    }
  }
  return out;
}

/** A bias `[G*H]` with its gate blocks reordered (`order[g]`: Keras's block at loopflow's block g). */
function reorderBlocks(data: Float32Array, hidden: number, order: readonly number[]): Float32Array {
  const out = new Float32Array(order.length * hidden);
  order.forEach((source, g) => out.set(data.subarray(source * hidden, (source + 1) * hidden), g * hidden));
  return out;
}

/** loopflow's gate block g comes from Keras's block ORDER[cell][g]: LSTM i, f, c, o = i, f, g, o; GRU z, r, h -> r, z, n. */
const GATE_ORDER: Record<TfjsRecurrentLayer['cell'], readonly number[]> = { lstm: [0, 1, 2, 3], gru: [1, 0, 2], rnn: [0] };

/** The state dict entries (`weight_ih_l<k>[_reverse]`, ...) of one Keras recurrent layer as layer `k` of a stack. */
function recurrentEntries(pool: WeightPool, layer: TfjsRecurrentLayer, k: number, inputSize: number): Record<string, Tensor> {
  const H = layer.units;
  const order = GATE_ORDER[layer.cell];
  const G = order.length;
  const entries: Record<string, Tensor> = {};
  layer.directions.forEach((prefix, d) => {
    const suffix = `_l${k}${d === 1 ? '_reverse' : ''}`;
    const kernel = pool.take(layer.name, prefix, 'kernel', [inputSize, G * H]) as TfjsWeight;
    const recurrentKernel = pool.take(layer.name, prefix, 'recurrent_kernel', [H, G * H]) as TfjsWeight;
    entries[`weight_ih${suffix}`] = tensor(kerasToRows(kernel.data, inputSize, H, order), [G * H, inputSize]);
    entries[`weight_hh${suffix}`] = tensor(kerasToRows(recurrentKernel.data, H, H, order), [G * H, H]);
    let biasIh: Float32Array = new Float32Array(G * H);
    let biasHh: Float32Array = new Float32Array(G * H);
    if (layer.useBias) {
      // GRU with reset_after: [2, 3H], the input bias then the recurrent one (inside r * (U h + b_h))
      const bias = pool.take(layer.name, prefix, 'bias', layer.cell === 'gru' ? [2, G * H] : [G * H]) as TfjsWeight;
      biasIh = reorderBlocks(bias.data.subarray(0, G * H), H, order);
      if (layer.cell === 'gru') biasHh = reorderBlocks(bias.data.subarray(G * H), H, order);
    }
    entries[`bias_ih${suffix}`] = tensor(biasIh, [G * H]);
    entries[`bias_hh${suffix}`] = tensor(biasHh, [G * H]);
  });
  return entries;
}

/** Whether layer b can continue the stack of layer a (one RecurrentModule). */
function sameStack(a: TfjsRecurrentLayer, b: TfjsRecurrentLayer): boolean {
  return a.cell === b.cell && a.nonlinearity === b.nonlinearity && a.units === b.units && a.bidirectional === b.bidirectional;
}

/** Groups the recurrent layers into stacks and fills each from the pool. */
function recurrentStacks(pool: WeightPool, plan: TfjsPlan): RecurrentModule[] {
  const groups: TfjsRecurrentLayer[][] = [];
  for (const layer of plan.recurrent) {
    const last = groups[groups.length - 1];
    if (last && sameStack(last[0], layer)) last.push(layer);
    else groups.push([layer]);
  }
  let inputSize = plan.input.kind === 'tokens' ? plan.input.embeddingSize : plan.input.size;
  return groups.map((group) => {
    const first = group[0];
    const module = createRecurrent(new Random(0), {
      kind: first.cell,
      inputSize,
      hiddenSize: first.units,
      numLayers: group.length,
      bidirectional: first.bidirectional,
      ...(first.nonlinearity ? { nonlinearity: first.nonlinearity } : {}),
    });
    const entries: Record<string, Tensor> = {};
    let width = inputSize;
    group.forEach((layer, k) => {
      Object.assign(entries, recurrentEntries(pool, layer, k, width));
      width = layer.units * layer.directions.length;
    });
    loadStateDict(module, entries);
    inputSize = width;
    return module;
  });
}

function activate(x: Tensor, activation: TfjsDenseActivation): Tensor {
  switch (activation) {
    case 'softmax':
      return softmax(x, -1);
    case 'sigmoid':
      return sigmoid(x);
    case 'tanh':
      return tanh(x);
    case 'relu':
      return relu(x);
    default:
      return x;
  }
}

/**
 * Converts a TensorFlow.js layers model to loopflow modules: `modelJson` is model.json (its
 * `modelTopology` and `weightsManifest`), `weightData` the bytes of the weight files it names,
 * in the manifest's order (one array, or one per shard). Supported: a Sequential model of an
 * optional Embedding, LSTM / GRU (reset_after true) / SimpleRNN layers (stacked,
 * return_sequences, Bidirectional with merge_mode concat) and Dense layers (linear, softmax,
 * sigmoid, tanh, relu; or TimeDistributed(Dense); an Activation layer folded into the linear
 * Dense before it); Dropout is skipped; `use_bias` false gives zero biases. Refused with a code naming the layer:
 * `TFJS_UNSUPPORTED`, `TFJS_GRU_RESET_BEFORE`, `TFJS_WEIGHTS` (dtype, missing, short or extra
 * weight data, wrong shapes), `TFJS_INVALID`.
 *
 * @example
 * const imported = convertTfjsModel(modelJson, weightBytes);
 * imported.recurrent[0].weight_ih_l0 // [4H, I], PyTorch's layout
 * imported.predict(tensor([1, 2, 3], [1, 3])) // as model.predict
 */
export function convertTfjsModel(modelJson: TfjsModelJson, weightData: Uint8Array | ArrayBuffer | readonly (Uint8Array | ArrayBuffer)[]): TfjsImportedModel {
  if (!modelJson || typeof modelJson !== 'object') {
    throw new LoopflowError('TFJS_INVALID', `tfjs import: model.json is ${JSON.stringify(modelJson ?? null)}; expected an object with modelTopology and weightsManifest`);
  }
  const plan = planTfjsModel(modelJson.modelTopology);
  const bytes = joinShards(Array.isArray(weightData) ? weightData : [weightData as Uint8Array | ArrayBuffer]);
  const pool = new WeightPool(decodeTfjsWeights(modelJson.weightsManifest, bytes));

  let embeddingModule: EmbeddingModule | undefined;
  if (plan.input.kind === 'tokens') {
    const { vocabSize, embeddingSize } = plan.input;
    const layer = plan.embeddingLayer as string;
    const weight = pool.take(layer, `${layer}/`, 'embeddings', [vocabSize, embeddingSize]) as TfjsWeight;
    embeddingModule = createEmbedding(new Random(0), vocabSize, embeddingSize);
    loadStateDict(embeddingModule, { weight: tensor(weight.data, [vocabSize, embeddingSize]) }, { includeFrozen: true });
  }
  const recurrent = recurrentStacks(pool, plan);
  const lastLayer = plan.recurrent[plan.recurrent.length - 1];
  let width = lastLayer.units * lastLayer.directions.length;
  const dense = plan.dense.map((layer): TfjsDenseModule => {
    const kernel = pool.take(layer.name, `${layer.name}/`, 'kernel', [width, layer.units]) as TfjsWeight;
    const bias = layer.useBias ? (pool.take(layer.name, `${layer.name}/`, 'bias', [layer.units]) as TfjsWeight).data : new Float32Array(layer.units);
    const module = createLinear(new Random(0), width, layer.units);
    loadStateDict(module, { weight: tensor(kerasToRows(kernel.data, width, layer.units, [0]), [layer.units, width]), bias: tensor(bias, [layer.units]) });
    width = layer.units;
    return { name: layer.name, linear: module, activation: layer.activation };
  });
  const rest = pool.rest();
  if (rest.length > 0) {
    throw new LoopflowError('TFJS_WEIGHTS', `tfjs import: weightsManifest holds ${rest.length} weight(s) of no imported layer: ${rest.join(', ')}; the weights do not belong to this topology (or to a layer it does not name)`);
  }
  const returnSequences = lastLayer.returnSequences;
  const input = plan.input;

  const predict = (inputs: Tensor): Tensor =>
    noGrad(() => {
      const expected = input.kind === 'tokens' ? '[batch, time] token ids' : `[batch, time, ${input.size}]`;
      if (!(inputs instanceof Tensor) || inputs.ndim !== (input.kind === 'tokens' ? 2 : 3) || (input.kind === 'features' && inputs.shape[2] !== input.size)) {
        throw new LoopflowError('INVALID_ARGUMENT', `${plan.name}.predict: inputs have shape ${inputs instanceof Tensor ? fmtShape(inputs.shape) : typeof inputs}; expected ${expected}`);
      }
      let x = input.kind === 'tokens' ? embedding(embeddingModule as EmbeddingModule, permute(inputs, [1, 0])) : permute(inputs, [1, 0, 2]); // [T, B, I]
      let finalState: Tensor | null = null;
      for (const module of recurrent) {
        const result = runRecurrent(module, x);
        x = result.output; // [T, B, D*H]
        finalState = result.state.h; // [L*D, B, H]
      }
      const last = recurrent[recurrent.length - 1];
      let y = returnSequences ? x : lastLayerState(finalState as Tensor, last.config.numLayers, last.config.bidirectional ? 2 : 1); // [T, B, D*H] or [B, D*H]
      for (const layer of dense) y = activate(linear(layer.linear, y), layer.activation);
      return returnSequences ? permute(y, [1, 0, 2]) : y; // [B, T, units] or [B, units]
    });

  return { name: plan.name, plan, ...(embeddingModule ? { embedding: embeddingModule } : {}), recurrent, returnSequences, dense, predict };
}
