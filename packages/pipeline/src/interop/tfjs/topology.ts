/**
 * The `modelTopology` of a TensorFlow.js layers model (model.json), read into a plan of the
 * layers loopflow can run: an optional Embedding, recurrent layers (LSTM, GRU with
 * reset_after, SimpleRNN; stacked, Bidirectional with merge_mode concat) and a Dense head
 * (Dense or TimeDistributed(Dense) layers, an Activation layer folded into the Dense before it).
 * Anything else is refused with `TFJS_UNSUPPORTED` naming the layer, what it found and what
 * to do; a topology that is not a model.json's is `TFJS_INVALID`. No file access.
 */
import { LoopflowError } from '@loopflow/tensor';

/** The activations a Dense layer may end with (applied by the imported model's `predict`). */
export type TfjsDenseActivation = 'linear' | 'softmax' | 'sigmoid' | 'tanh' | 'relu';

/** An input of token ids through an Embedding (`[B, T]`) or of feature vectors (`[B, T, F]`). */
export type TfjsInput = { kind: 'tokens'; vocabSize: number; embeddingSize: number; length: number | null } | { kind: 'features'; size: number; length: number | null };

/** A recurrent layer of the plan (a Bidirectional wrapper folded in). */
export interface TfjsRecurrentLayer {
  type: 'recurrent';
  /** The Keras layer's name (the wrapper's for a Bidirectional layer). */
  name: string;
  cell: 'lstm' | 'gru' | 'rnn';
  /** SimpleRNN's activation (loopflow's rnn_tanh / rnn_relu). */
  nonlinearity?: 'tanh' | 'relu';
  units: number;
  returnSequences: boolean;
  bidirectional: boolean;
  useBias: boolean;
  /** The weight name prefixes of each direction (`lstm_1/`; `bidirectional/forward_lstm/`, then `.../backward_lstm/`). */
  directions: string[];
}

/** The plan of a Sequential model: input, recurrent layers, Dense head. */
export interface TfjsPlan {
  name: string;
  input: TfjsInput;
  /** The Embedding layer's name, when the input is tokens. */
  embeddingLayer?: string;
  recurrent: TfjsRecurrentLayer[];
  dense: { name: string; units: number; activation: TfjsDenseActivation; useBias: boolean }[];
}

interface KerasLayer {
  class_name: string;
  config: Record<string, unknown>;
}

const DENSE_ACTIVATIONS: readonly TfjsDenseActivation[] = ['linear', 'softmax', 'sigmoid', 'tanh', 'relu'];
const RECURRENT_CLASSES: Record<string, 'lstm' | 'gru' | 'rnn'> = { LSTM: 'lstm', GRU: 'gru', SimpleRNN: 'rnn' };
/** Layers that do nothing at inference. */
const INFERENCE_IDENTITY = new Set(['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization']);

function unsupported(layer: string, message: string): never {
  throw new LoopflowError('TFJS_UNSUPPORTED', `tfjs import: layer '${layer}': ${message}`);
}

function invalid(message: string): never {
  throw new LoopflowError('TFJS_INVALID', `tfjs import: ${message}; expected the model.json of a TensorFlow.js layers model (model.save() of @tensorflow/tfjs, or tensorflowjs_converter --output_format tfjs_layers_model)`);
}

/** A Keras activation name as written in the config (`hard_sigmoid` / `hardSigmoid`, or a serialized object). */
function activationName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as KerasLayer).class_name === 'string') return (value as KerasLayer).class_name;
  return JSON.stringify(value);
}

/** A config's dtype as a name: a string, or Keras 3's `{ class_name: 'DTypePolicy', config: { name } }`. */
function dtypeName(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  const config = (value as KerasLayer).config;
  return typeof config?.name === 'string' ? config.name : JSON.stringify(value);
}

function positive(layer: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) unsupported(layer, `${field} is ${JSON.stringify(value)}; expected a positive integer`);
  return value;
}

/** The layers of a Sequential topology (model.save()'s, or tensorflowjs_converter's `model_config`; Keras 2.1's bare list). */
function sequentialLayers(topology: unknown): { name: string; layers: KerasLayer[] } {
  if (!topology || typeof topology !== 'object') invalid(`modelTopology is ${JSON.stringify(topology)}`);
  const top = topology as Record<string, unknown>;
  const model = (top.model_config ?? top) as Record<string, unknown>;
  if (typeof model.class_name !== 'string') invalid('modelTopology has no class_name');
  if (model.class_name !== 'Sequential') {
    throw new LoopflowError('TFJS_UNSUPPORTED', `tfjs import: the model is a ${model.class_name}; only Sequential models are imported (an optional Embedding, LSTM / GRU / SimpleRNN layers, Dense layers): rebuild it with tf.sequential() (Keras: keras.Sequential) and save it again`);
  }
  const config = model.config as Record<string, unknown> | KerasLayer[] | undefined;
  const layers = Array.isArray(config) ? config : config?.layers;
  if (!Array.isArray(layers)) invalid('modelTopology.config has no layers');
  const name = !Array.isArray(config) && typeof config?.name === 'string' ? config.name : 'sequential';
  layers.forEach((layer, i) => {
    if (!layer || typeof layer !== 'object' || typeof layer.class_name !== 'string' || !layer.config || typeof layer.config !== 'object') invalid(`layers[${i}] is not a { class_name, config } object`);
  });
  return { name, layers: layers as KerasLayer[] };
}

/** The `[batch, time, features...]` shape a first layer declares (`batch_input_shape`, Keras 3's `batch_shape`), or from `input_shape`. */
function declaredShape(config: Record<string, unknown>): (number | null)[] | undefined {
  const shape = config.batch_input_shape ?? config.batch_shape;
  if (Array.isArray(shape)) return shape as (number | null)[];
  if (Array.isArray(config.input_shape)) return [null, ...(config.input_shape as (number | null)[])];
  return undefined;
}

function checkFloat32(layer: string, config: Record<string, unknown>, what = 'dtype'): void {
  const dtype = dtypeName(config.dtype);
  if (dtype !== undefined && dtype !== 'float32') unsupported(layer, `${what} ${dtype}; only float32 models are imported: cast the model to float32 and save it again`);
}

/** Reads one recurrent layer's config (inside a Bidirectional wrapper: `wrapper` names the wrapper). */
function recurrentLayer(layer: KerasLayer, wrapper?: { name: string; mergeMode: unknown }): TfjsRecurrentLayer {
  const c = layer.config;
  const own = String(c.name ?? layer.class_name);
  const name = wrapper ? wrapper.name : own;
  const where = wrapper ? `${own}' (in Bidirectional '${wrapper.name}` : own;
  const cell = RECURRENT_CLASSES[layer.class_name];
  checkFloat32(where, c);
  const units = positive(where, 'units', c.units);
  for (const flag of ['stateful', 'go_backwards', 'return_state', 'time_major'] as const) {
    if (c[flag] === true) {
      const hint = flag === 'go_backwards' ? 'wrap the layer in Bidirectional, or reverse the sequences before the model' : flag === 'return_state' ? 'a Sequential model passes on the output only: save it with returnState false' : flag === 'time_major' ? 'save it with time_major false (inputs [batch, time, features])' : 'loopflow carries state explicitly (runRecurrent initialState, createStreamer): save the layer with stateful false';
      unsupported(where, `${flag} is true; it is not imported: ${hint}`);
    }
  }
  const activation = activationName(c.activation ?? 'tanh');
  let nonlinearity: 'tanh' | 'relu' | undefined;
  if (cell === 'rnn') {
    if (activation !== 'tanh' && activation !== 'relu') unsupported(where, `activation '${activation}'; SimpleRNN is imported with tanh or relu (loopflow's rnn cells)`);
    nonlinearity = activation;
  } else {
    if (activation !== 'tanh') unsupported(where, `activation '${activation}'; ${layer.class_name} is imported with activation 'tanh' only (loopflow's ${cell} cells, as PyTorch's)`);
    const recurrent = activationName(c.recurrent_activation ?? 'sigmoid');
    if (recurrent !== 'sigmoid') {
      const hard = /hard_?sigmoid/i.test(recurrent);
      unsupported(
        where,
        `recurrent_activation '${recurrent}'; loopflow's ${cell} gates use the logistic sigmoid (as PyTorch's)${hard ? " — hard_sigmoid is tfjs-layers' default: build the layer with recurrentActivation: 'sigmoid' (Keras 2+ default) and train it again" : ': build the layer with recurrent_activation sigmoid and train it again'}`,
      );
    }
  }
  if (cell === 'gru' && c.reset_after !== true) {
    throw new LoopflowError(
      'TFJS_GRU_RESET_BEFORE',
      `tfjs import: layer '${where}': GRU with reset_after ${JSON.stringify(c.reset_after ?? false)} applies the reset gate before the recurrent product (h~ = tanh(W x + U (r * h))), a different cell from loopflow's (PyTorch's) GRU, which applies it after (tanh(W x + b + r * (U h + b_h))); ` +
        'the weights cannot be mapped: build the GRU with reset_after=True (the Keras 2+ default; tfjs-layers cannot build it, so train it in Keras) and save it again, or use an LSTM',
    );
  }
  const prefix = (p: string): string => `${p}/`;
  const directions = wrapper ? [prefix(`${wrapper.name}/forward_${own}`), prefix(`${wrapper.name}/backward_${own}`)] : [prefix(own)];
  return {
    type: 'recurrent',
    name,
    cell,
    ...(nonlinearity ? { nonlinearity } : {}),
    units,
    returnSequences: c.return_sequences === true,
    bidirectional: wrapper !== undefined,
    useBias: c.use_bias !== false,
    directions,
  };
}

function bidirectionalLayer(layer: KerasLayer): TfjsRecurrentLayer {
  const c = layer.config;
  const name = String(c.name ?? 'bidirectional');
  const mergeMode = c.merge_mode ?? 'concat';
  if (mergeMode !== 'concat') unsupported(name, `Bidirectional merge_mode ${JSON.stringify(mergeMode)}; only 'concat' is imported (loopflow's bidirectional output is [forward, backward]): save it with mergeMode 'concat'`);
  if (c.backward_layer !== undefined && c.backward_layer !== null) unsupported(name, 'Bidirectional with its own backward_layer; only a wrapped layer copied both ways is imported');
  const inner = c.layer as KerasLayer | undefined;
  if (!inner || typeof inner.class_name !== 'string' || !inner.config) invalid(`Bidirectional '${name}' has no layer`);
  if (!(inner.class_name in RECURRENT_CLASSES)) unsupported(name, `Bidirectional wraps a ${inner.class_name}; expected LSTM, GRU or SimpleRNN`);
  checkFloat32(name, c);
  return recurrentLayer(inner, { name, mergeMode });
}

/**
 * Reads a Sequential model's topology into the plan loopflow imports. Refusals name the layer:
 * `TFJS_UNSUPPORTED` (a layer class, activation or option loopflow does not run the same way),
 * `TFJS_GRU_RESET_BEFORE` (a GRU with reset_after false), `TFJS_INVALID` (not a model.json).
 *
 * @example const plan = planTfjsModel(modelJson.modelTopology); plan.recurrent[0].cell // 'lstm'
 */
export function planTfjsModel(topology: unknown): TfjsPlan {
  const { name, layers } = sequentialLayers(topology);
  let input: TfjsInput | undefined;
  let embeddingLayer: string | undefined;
  let pendingShape: (number | null)[] | undefined;
  const recurrent: TfjsRecurrentLayer[] = [];
  const dense: TfjsPlan['dense'] = [];
  layers.forEach((layer, index) => {
    const c = layer.config;
    const layerName = String(c.name ?? `${layer.class_name} #${index}`);
    const shape = declaredShape(c) ?? pendingShape;
    if (layer.class_name === 'InputLayer') {
      if (index !== 0) unsupported(layerName, 'an InputLayer after the first layer');
      if (c.sparse === true || c.ragged === true) unsupported(layerName, 'sparse or ragged input; only dense inputs are imported');
      pendingShape = declaredShape(c);
      return;
    }
    if (INFERENCE_IDENTITY.has(layer.class_name)) {
      if (recurrent.length === 0 && dense.length === 0 && !input) pendingShape = shape; // before the first layer: keep its declared shape
      return;
    }
    if (layer.class_name === 'Embedding') {
      if (input || recurrent.length > 0 || dense.length > 0) unsupported(layerName, 'an Embedding after other layers; only a first Embedding is imported');
      checkFloat32(layerName, c);
      if (c.mask_zero === true) unsupported(layerName, "mask_zero is true; loopflow marks padding by sequence lengths, not by a token id, and a masked step inside a sequence would run differently: save the Embedding with maskZero false (and pass loopflow the sequence lengths)");
      input = { kind: 'tokens', vocabSize: positive(layerName, 'input_dim', c.input_dim), embeddingSize: positive(layerName, 'output_dim', c.output_dim), length: typeof c.input_length === 'number' ? c.input_length : (shape?.[1] ?? null) };
      embeddingLayer = layerName;
      return;
    }
    if (layer.class_name in RECURRENT_CLASSES || layer.class_name === 'Bidirectional') {
      if (dense.length > 0) unsupported(layerName, `a recurrent layer after the Dense layer '${dense[dense.length - 1].name}'; only Dense layers after the recurrent ones are imported`);
      const previous = recurrent[recurrent.length - 1];
      if (previous && !previous.returnSequences) unsupported(layerName, `it follows '${previous.name}', whose return_sequences is false (it passes on one vector per sequence, not a sequence)`);
      if (!input) {
        if (!shape || shape.length !== 3 || typeof shape[2] !== 'number') unsupported(layerName, `the input shape is ${JSON.stringify(shape ?? null)}; expected [batch, time, features] with a fixed number of features (give the first layer inputShape: [null, features]) or an Embedding before it`);
        input = { kind: 'features', size: shape[2], length: typeof shape[1] === 'number' ? shape[1] : null };
      }
      recurrent.push(layer.class_name === 'Bidirectional' ? bidirectionalLayer(layer) : recurrentLayer(layer));
      return;
    }
    if (layer.class_name === 'Dense' || layer.class_name === 'TimeDistributed') {
      // TimeDistributed(Dense) is Dense on every step (Dense already acts on the last axis); its weights are named by the wrapper
      const inner = layer.class_name === 'TimeDistributed' ? (c.layer as KerasLayer | undefined) : layer;
      if (!inner || inner.class_name !== 'Dense' || !inner.config) unsupported(layerName, `TimeDistributed wraps ${inner?.class_name ?? 'nothing'}; only TimeDistributed(Dense) is imported`);
      if (recurrent.length === 0) unsupported(layerName, 'a Dense layer before any recurrent layer; the model must read its input with an LSTM, GRU or SimpleRNN (after an optional Embedding)');
      checkFloat32(layerName, c);
      checkFloat32(layerName, inner.config);
      const activation = activationName(inner.config.activation ?? 'linear');
      if (!DENSE_ACTIVATIONS.includes(activation as TfjsDenseActivation)) unsupported(layerName, `activation '${activation}'; a Dense layer is imported with one of ${DENSE_ACTIVATIONS.join(', ')}`);
      dense.push({ name: layerName, units: positive(layerName, 'units', inner.config.units), activation: activation as TfjsDenseActivation, useBias: inner.config.use_bias !== false });
      return;
    }
    if (layer.class_name === 'Activation') {
      // Dense(linear) + Activation(a) is Dense(a)
      const previous = dense[dense.length - 1];
      const activation = activationName(c.activation);
      if (!previous || previous.activation !== 'linear') unsupported(layerName, `an Activation layer that does not follow a linear Dense layer${previous ? ` ('${previous.name}' has activation ${previous.activation})` : ''}; give the activation to the Dense layer`);
      if (!DENSE_ACTIVATIONS.includes(activation as TfjsDenseActivation)) unsupported(layerName, `activation '${activation}'; expected one of ${DENSE_ACTIVATIONS.join(', ')}`);
      previous.activation = activation as TfjsDenseActivation;
      return;
    }
    if (layer.class_name === 'Masking') unsupported(layerName, "a Masking layer; loopflow marks padding by sequence lengths, not by a mask value, and a masked step inside a sequence would run differently: remove it (and pass loopflow the sequence lengths)");
    unsupported(layerName, `layer class ${layer.class_name} is not imported; a Sequential model of an optional Embedding, LSTM / GRU (reset_after) / SimpleRNN layers (Bidirectional with merge_mode concat) and Dense layers (or TimeDistributed(Dense), with an optional Activation) is (Dropout is skipped)`);
  });
  if (recurrent.length === 0 || !input) invalid(`the model '${name}' has no LSTM, GRU or SimpleRNN layer`);
  return { name, input, ...(embeddingLayer ? { embeddingLayer } : {}), recurrent, dense };
}
