import { CELL_KINDS, RecurrentModule, directionsOf } from '@loopflow/cells';
import { GraphBuilder } from './proto/graph';
import { OnnxError } from './errors';
import { ExportOnnxOptions } from './options';
import { addRecurrentStack, recurrentCellKind } from './recurrent';
import { addDimension, addForecastLayout, addGather, addLinear, addOneHot, addStepMask, LinearLike } from './graph-ops';
import { transformerGraph } from './transformer';
import { addFeedbackNetwork, feedbackPlan, feedbackStateWidths } from './feedback';
import { FeedbackNetwork } from '@loopflow/cells';
import type { PipelineModelDescription, PipelineModelLike } from './description';

export type { PipelineModelDescription, PipelineModelLike } from './description';

const TASKS = ['language-model', 'classification', 'forecast'];

/** Whether `model` looks like a pipeline model (`{ description: { kind, task, ... }, modules }`). */
export function isPipelineModel(model: object): model is PipelineModelLike {
  const d = (model as { description?: unknown }).description;
  return typeof d === 'object' && d !== null && 'task' in d && typeof (model as { modules?: unknown }).modules === 'object';
}

/** Checks a pipeline model's description; throws `ONNX_INVALID_MODEL` naming what is wrong. */
export function checkDescription(d: PipelineModelDescription): void {
  const bad = (what: string): never => {
    throw new OnnxError('ONNX_INVALID_MODEL', `exportOnnx: the model's description ${what}; the model.json of the run folder is damaged or from another version: run the definition again`);
  };
  if (!TASKS.includes(d.task)) bad(`has task ${JSON.stringify(d.task)}, expected one of ${TASKS.join(', ')}`);
  const input = d.input;
  if (!input || (input.kind !== 'tokens' && input.kind !== 'features')) bad(`has input ${JSON.stringify(input)}, expected { kind: 'tokens', vocabSize } or { kind: 'features', size }`);
  const width = input.kind === 'tokens' ? input.vocabSize : input.size;
  if (!Number.isInteger(width) || width < 1) bad(`has an input width of ${JSON.stringify(width)}, expected a positive integer`);
  if (!Number.isInteger(d.outputSize) || d.outputSize < 1) bad(`has outputSize ${JSON.stringify(d.outputSize)}, expected a positive integer`);
  if (d.task === 'forecast') {
    const horizon = d.horizon ?? 1;
    const columns = d.targetFeatures ?? 1;
    if (horizon * columns !== d.outputSize) bad(`has horizon ${horizon} x targetFeatures ${columns} != outputSize ${d.outputSize}`);
  }
}

/** Declares the time-major input `x`: `[T, B]` int64 token ids or `[T, B, F]` float32 features. */
export function declareSequenceInput(g: GraphBuilder, d: PipelineModelDescription): string {
  return d.input.kind === 'tokens'
    ? g.input('x', 'int64', ['T', 'B'], `token ids [T, B] in [0, ${d.input.vocabSize})`)
    : g.input('x', 'float32', ['T', 'B', d.input.size], 'features [T, B, F] (scaled as the run scaled them)');
}

/** Declares the task's output `output`: logits `[T, B, V]`, class logits `[B, C]`, or a forecast `[H, B, Ft]`. */
export function declareTaskOutput(g: GraphBuilder, d: PipelineModelDescription, value: string): void {
  if (d.task === 'language-model') g.output(value, 'output', 'float32', ['T', 'B', d.outputSize], 'next-token logits [T, B, V]');
  else if (d.task === 'classification') g.output(value, 'output', 'float32', ['B', d.outputSize], 'class logits [B, C]');
  else g.output(value, 'output', 'float32', [d.horizon ?? 1, 'B', d.targetFeatures ?? 1], 'forecast [horizon, B, targetFeatures] in scaled units');
}

/**
 * The graph of a pipeline model: the recurrent family (embedding, one-hot or features into
 * the recurrent stack, then the head), the attention family (transformer decoder or encoder),
 * the feedback family (a Scan over time, then the head). Inputs are time-major as the
 * pipeline's batches.
 */
export function pipelineModelGraph(model: PipelineModelLike, options: ExportOnnxOptions): GraphBuilder {
  const d = model.description;
  checkDescription(d);
  if (d.kind === 'recurrent') return recurrentPipelineGraph(model, options);
  if (d.kind === 'attention') return transformerGraph((model.modules as { transformer?: unknown }).transformer, options, { timeMajor: true, description: d });
  if (d.kind === 'feedback') return feedbackPipelineGraph(model, options);
  throw new OnnxError('ONNX_UNSUPPORTED', `exportOnnx: model kind ${JSON.stringify(d.kind)} is not exported; expected recurrent, attention or feedback`);
}

interface RecurrentPipelineModules {
  embedding?: { weight: unknown; config?: { numEmbeddings: number; embeddingDim: number } };
  rnn: RecurrentModule;
  head: LinearLike;
}

function recurrentPipelineGraph(model: PipelineModelLike, options: ExportOnnxOptions): GraphBuilder {
  const d = model.description;
  const modules = model.modules as RecurrentPipelineModules;
  const rnn = modules.rnn;
  const cell = recurrentCellKind(rnn);
  const { hiddenSize: H, numLayers: L, inputSize } = rnn.config;
  const D = directionsOf(rnn.config);
  const hasC = CELL_KINDS[cell].stateParts.includes('c');
  const g = new GraphBuilder();
  const x = declareSequenceInput(g, d);
  const sequenceLens = options.sequenceLens ?? true;
  const lens = sequenceLens ? g.input('sequence_lens', 'int32', ['B'], 'real steps per sequence [B]; padding trails') : null;
  const h0 = options.initialState ? g.input('h0', 'float32', [L * D, 'B', H], 'initial hidden state [L*D, B, H]') : null;
  const c0 = options.initialState && hasC ? g.input('c0', 'float32', [L * D, 'B', H], 'initial cell state [L*D, B, H]') : null;

  const features = inputFeatures(g, d, x, modules.embedding, inputSize); // [T, B, I]
  const stack = addRecurrentStack(g, rnn, { x: features, h0, c0, sequenceLens: lens }, 'rnn');
  const head = (value: string): string => addLinear(g, value, modules.head, D * H, d.outputSize, 'head');

  if (d.task === 'language-model') {
    declareTaskOutput(g, d, head(stack.output)); // [T, B, V]
    g.output(stack.hn, 'hn', 'float32', [L * D, 'B', H], 'final hidden state [L*D, B, H] (feed it back as h0 to carry the state)');
    if (stack.cn) g.output(stack.cn, 'cn', 'float32', [L * D, 'B', H], 'final cell state [L*D, B, H]');
    return g;
  }
  const pooling = (d.options.pooling as string | undefined) ?? 'last';
  let pooled: string; // [B, D*H]
  if (pooling === 'mean') {
    pooled = maskedMean(g, x, stack.output, lens);
  } else if (pooling === 'last') {
    // loopflow's lastLayerState: the top layer's rows of hn, directions side by side
    const top = g.op1('Slice', [stack.hn, g.int64s('start', [(L - 1) * D]), g.int64s('end', [L * D]), g.int64s('axis0', [0])], {}, 'top_layer'); // [D, B, H]
    pooled = g.op1('Reshape', [g.op1('Transpose', [top], { perm: { ints: [1, 0, 2] } }), g.int64s('shape_b_', [0, -1])], {}, 'pooled'); // [B, D*H]
  } else {
    throw new OnnxError('ONNX_INVALID_MODEL', `exportOnnx: recurrent model pooling ${JSON.stringify(pooling)}; expected 'last' or 'mean'`);
  }
  const y = head(pooled); // [B, outputSize]
  declareTaskOutput(g, d, d.task === 'forecast' ? addForecastLayout(g, y, d.horizon ?? 1, d.targetFeatures ?? 1) : y);
  return g;
}

/** The `[T, B, I]` input of a recurrent or feedback stack: features as given, embedded ids, or one-hot ids. */
function inputFeatures(g: GraphBuilder, d: PipelineModelDescription, x: string, embedding: { weight: unknown; config?: { embeddingDim: number } } | undefined, inputSize: number): string {
  if (d.input.kind === 'features') return x;
  if (embedding) return addGather(g, x, embedding.weight, d.input.vocabSize, embedding.config?.embeddingDim ?? inputSize, 'embedding.weight');
  return addOneHot(g, x, d.input.vocabSize);
}

/** loopflow's `maskedMean`: the sum of `[T, B, F]` over real steps over max(length, 1) -> `[B, F]` (every step real without lengths). */
function maskedMean(g: GraphBuilder, x: string, output: string, lens: string | null): string {
  const steps = addDimension(g, x, 0, 'T');
  const mask = lens ? g.op1('Transpose', [addStepMask(g, lens, steps, 'float32')], { perm: { ints: [1, 0] } }, 'mask_tb') : null; // [T, B]
  const masked = mask ? g.op1('Mul', [output, g.op1('Unsqueeze', [mask, g.int64s('axes2', [2])])], {}, 'masked_output') : output;
  const total = g.op1('ReduceSum', [masked, g.int64s('axes0', [0])], { keepdims: { int: 0 } }, 'output_sum'); // [B, F]
  const counts = lens
    ? g.op1('Max', [g.op1('Cast', [lens], { to: { int: 1 } }, 'lens_float'), g.scalar(1, 'float32')], {}, 'counts') // [B]
    : g.op1('Cast', [steps], { to: { int: 1 } }, 'counts'); // [1]
  return g.op1('Div', [total, g.op1('Unsqueeze', [counts, g.int64s('axes1', [1])])], {}, 'pooled');
}

/** loopflow's `lastRealStep`: the output at step max(length, 1) - 1 of each sequence, `[T, B, F]` -> `[B, F]` (the last step without lengths). */
function lastRealStep(g: GraphBuilder, x: string, output: string, lens: string | null): string {
  const steps = addDimension(g, x, 0, 'T'); // [1]
  const t = g.op1('Range', [g.scalar(0, 'int64'), g.op1('Squeeze', [steps, g.int64s('axes0', [0])]), g.scalar(1, 'int64')], {}, 'step_index'); // [T]
  const last = lens
    ? g.op1('Sub', [g.op1('Max', [g.op1('Cast', [lens], { to: { int: 7 } }), g.scalar(1, 'int64')]), g.scalar(1, 'int64')], {}, 'last_step') // [B]
    : g.op1('Sub', [steps, g.scalar(1, 'int64')], {}, 'last_step'); // [1]
  const pick = g.op1('Cast', [g.op1('Equal', [g.op1('Unsqueeze', [t, g.int64s('axes1', [1])]), last])], { to: { int: 1 } }, 'pick'); // [T, B or 1]
  const picked = g.op1('Mul', [output, g.op1('Unsqueeze', [pick, g.int64s('axes2', [2])])], {}, 'picked'); // [T, B, F]
  return g.op1('ReduceSum', [picked, g.int64s('axes0', [0])], { keepdims: { int: 0 } }, 'pooled'); // [B, F]
}

interface FeedbackPipelineModules {
  embedding?: { weight: unknown; config?: { numEmbeddings: number; embeddingDim: number } };
  network: FeedbackNetwork;
  head: LinearLike;
}

function feedbackPipelineGraph(model: PipelineModelLike, options: ExportOnnxOptions): GraphBuilder {
  const d = model.description;
  const modules = model.modules as FeedbackPipelineModules;
  const plan = feedbackPlan(modules.network);
  const widths = feedbackStateWidths(plan);
  const last = plan.layers[plan.layers.length - 1].size;
  const g = new GraphBuilder();
  const x = declareSequenceInput(g, d);
  const lens = (options.sequenceLens ?? true) ? g.input('sequence_lens', 'int32', ['B'], 'real steps per sequence [B]; padding trails') : null;
  const h0 = options.initialState ? g.input('h0', 'float32', ['B', widths.h], 'initial outputs of every layer [B, sum H], in layer order') : null;
  const c0 = options.initialState && widths.c > 0 ? g.input('c0', 'float32', ['B', widths.c], 'initial cell states of the LSTM layers [B, sum H]') : null;
  const features = inputFeatures(g, d, x, modules.embedding, plan.inputSize);
  const result = addFeedbackNetwork(g, modules.network, { x: features, h0, c0, sequenceLens: lens });
  const head = (value: string): string => addLinear(g, value, modules.head, last, d.outputSize, 'head');
  if (d.task === 'language-model') {
    declareTaskOutput(g, d, head(result.output)); // [T, B, V]
    g.output(result.hn, 'hn', 'float32', ['B', widths.h], 'every layer output after its last real step [B, sum H] (feed it back as h0 to carry the state)');
    if (result.cn) g.output(result.cn, 'cn', 'float32', ['B', widths.c], 'the LSTM layers cell states [B, sum H]');
    return g;
  }
  const pooling = (d.options.pooling as string | undefined) ?? 'last';
  if (pooling !== 'last' && pooling !== 'mean') {
    throw new OnnxError('ONNX_INVALID_MODEL', `exportOnnx: feedback model pooling ${JSON.stringify(pooling)}; expected 'last' or 'mean'`);
  }
  const pooled = pooling === 'mean' ? maskedMean(g, x, result.output, lens) : lastRealStep(g, x, result.output, lens); // [B, H_last]
  const y = head(pooled);
  declareTaskOutput(g, d, d.task === 'forecast' ? addForecastLayout(g, y, d.horizon ?? 1, d.targetFeatures ?? 1) : y);
  return g;
}
