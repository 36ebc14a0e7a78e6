import { FeedbackLayerPlan, FeedbackNetwork, FeedbackPlan, planFeedback } from '@loopflow/cells';
import { GraphBuilder } from './proto/graph';
import { OnnxError } from './errors';
import { weightData } from './weights';

/** The values (graph names) a feedback network reads. */
export interface FeedbackInputs {
  /** `[T, B, I]` float32. */
  x: string;
  /** `[B, sum H]` (every layer's output side by side, in layer order) or null for zeros. */
  h0: string | null;
  /** `[B, sum H of LSTM layers]` or null for zeros. */
  c0: string | null;
  /** `[B]` int32 or null: every sequence is T steps long. */
  sequenceLens: string | null;
}

/** The values a feedback network gives. */
export interface FeedbackOutputs {
  /** `[T, B, H_last]`: the last layer's output at every step, zeros past a sequence's length. */
  output: string;
  /** `[B, sum H]`: every layer's output after its last real step. */
  hn: string;
  /** `[B, sum H of LSTM layers]`, or null without LSTM layers. */
  cn: string | null;
}

/** The plan of a network, or `ONNX_INVALID_MODEL` when the definition does not validate. */
export function feedbackPlan(net: FeedbackNetwork): FeedbackPlan {
  try {
    return planFeedback(net.config);
  } catch (e) {
    throw new OnnxError('ONNX_INVALID_MODEL', `exportOnnx: the feedback network's definition is invalid (${(e as Error).message}); build it with createFeedbackNetwork()`);
  }
}

/** The transposed `[in, out]` data of a `[out, in]` parameter, checked. */
function transposed(where: string, value: unknown, rows: number, columns: number): Float32Array {
  const w = weightData(where, value, [rows, columns]);
  const out = new Float32Array(rows * columns);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = w[r * columns + c];
  return out;
}

/**
 * Adds a feedback network (@loopflow/cells' `runFeedbackNetwork`) to a graph as one ONNX Scan
 * over time whose body runs one step of every layer, in order (docs/feedback.md): layer k takes
 * layer k-1's output at t through `W_ih`, every edge's source output at t-1 through its matrix,
 * and its own output at t-1 through its self recurrence (full `W_hh`, diagonal `w_hh`, or none),
 * then its cell (rnn tanh/relu, IndRNN, LSTM, GRU, linear). Padded steps (past `sequence_lens`)
 * keep every layer's state and output zeros, as loopflow does.
 */
export function addFeedbackNetwork(g: GraphBuilder, net: FeedbackNetwork, inputs: FeedbackInputs): FeedbackOutputs {
  const plan = feedbackPlan(net);
  const layers = plan.layers;
  const lstmLayers = layers.filter((l) => l.cell === 'lstm');

  // initial states per layer: slices of h0 / c0, or zeros [B, H_k]
  const batch = g.op1('Gather', [g.op1('Shape', [inputs.x]), g.int64s('axis1', [1])], { axis: { int: 0 } }, 'B'); // [1]
  const zerosOf = (size: number): string => g.op1('Expand', [g.scalar(0, 'float32'), g.op1('Concat', [batch, g.int64s('width', [size])], { axis: { int: 0 } })], {}, `zeros_${size}`);
  const columns = (value: string, from: number, size: number, hint: string): string =>
    g.op1('Slice', [value, g.int64s('start', [from]), g.int64s('end', [from + size]), g.int64s('axis1', [1])], {}, hint);
  const initialH: string[] = [];
  const initialC: string[] = [];
  let atH = 0;
  let atC = 0;
  for (const l of layers) {
    initialH.push(inputs.h0 ? columns(inputs.h0, atH, l.size, `h0_${l.name}`) : zerosOf(l.size));
    atH += l.size;
    if (l.cell === 'lstm') {
      initialC.push(inputs.c0 ? columns(inputs.c0, atC, l.size, `c0_${l.name}`) : zerosOf(l.size));
      atC += l.size;
    }
  }
  // scan inputs: x, and with lengths a mask [T, B, 1] of real steps
  const scanInputs = [inputs.x];
  if (inputs.sequenceLens) {
    const steps = g.op1('Squeeze', [g.op1('Gather', [g.op1('Shape', [inputs.x]), g.int64s('axis0', [0])], { axis: { int: 0 } }), g.int64s('axes0', [0])], {}, 'T');
    const t = g.op1('Range', [g.scalar(0, 'int64'), steps, g.scalar(1, 'int64')], {}, 'steps'); // [T]
    const lens = g.op1('Cast', [inputs.sequenceLens], { to: { int: 7 } }, 'lens64'); // [B]
    const real = g.op1('Less', [g.op1('Unsqueeze', [t, g.int64s('axes1', [1])]), lens], {}, 'real_tb'); // [T, B]
    scanInputs.push(g.op1('Unsqueeze', [real, g.int64s('axes2', [2])], {}, 'real_tb1')); // [T, B, 1] bool
  }

  // the body: one step of the network
  const body = new GraphBuilder(g);
  const previousH = layers.map((l) => body.freshInput(`h_prev_${l.name}`, 'float32', ['B', l.size]));
  const previousC = lstmLayers.map((l) => body.freshInput(`c_prev_${l.name}`, 'float32', ['B', l.size]));
  const xt = body.freshInput('x_t', 'float32', ['B', plan.inputSize]);
  const real = inputs.sequenceLens ? body.freshInput('real_t', 'bool', ['B', 1]) : null;
  const nextH: string[] = [];
  const nextC: string[] = [];
  let below = xt;
  layers.forEach((l) => {
    const state = stepLayer(body, net, plan, l, below, previousH, previousC[lstmLayers.indexOf(l)] ?? null);
    nextH.push(state.h);
    if (state.c) nextC.push(state.c);
    below = state.h;
  });
  const keep = (next: string, previous: string): string => (real ? body.op1('Where', [real, next, previous], {}, 'kept') : next);
  const stepOutput = real ? body.op1('Where', [real, nextH[nextH.length - 1], body.scalar(0, 'float32')], {}, 'y_t') : nextH[nextH.length - 1];
  layers.forEach((l, k) => body.freshOutput(keep(nextH[k], previousH[k]), `h_next_${l.name}`, 'float32', ['B', l.size]));
  lstmLayers.forEach((l, k) => body.freshOutput(keep(nextC[k], previousC[k]), `c_next_${l.name}`, 'float32', ['B', l.size]));
  body.freshOutput(stepOutput, 'y_out', 'float32', ['B', layers[layers.length - 1].size]);

  const states = layers.length + lstmLayers.length;
  const results = g.op('Scan', [...initialH, ...initialC, ...scanInputs], { body: { graph: body, name: 'feedback_step' }, num_scan_inputs: { int: scanInputs.length } }, states + 1, 'feedback');
  const finalH = results.slice(0, layers.length);
  const finalC = results.slice(layers.length, states);
  const joined = (parts: string[], hint: string): string => (parts.length === 1 ? g.op1('Identity', [parts[0]], {}, hint) : g.op1('Concat', parts, { axis: { int: 1 } }, hint));
  return { output: results[states], hn: joined(finalH, 'hn'), cn: finalC.length ? joined(finalC, 'cn') : null };
}

/** `x @ W + b` in the body, with `W` `[in, out]` and `b` stored in the outer graph. */
function affine(g: GraphBuilder, x: string, weight: Float32Array, bias: Float32Array | null, inWidth: number, outWidth: number, hint: string): string {
  const product = g.op1('MatMul', [x, g.floats(`${hint}_W`, weight, [inWidth, outWidth])], {}, `${hint}_mm`);
  return bias ? g.op1('Add', [product, g.floats(`${hint}_b`, bias, [outWidth])], {}, hint) : product;
}

/** One layer's step: `{ h }` (and `c` for an LSTM) from its input at t and the states at t-1. */
function stepLayer(g: GraphBuilder, net: FeedbackNetwork, plan: FeedbackPlan, l: FeedbackLayerPlan, below: string, previousH: string[], previousC: string | null): { h: string; c?: string } {
  const G = l.gates;
  const H = l.size;
  const where = `layers.${l.name}`;
  const params = (net.layers?.[l.name] ?? {}) as unknown as Record<string, unknown>;
  const linear = l.cell === 'linear';
  // input side: W_ih x + b_ih + sum of F_{j->k} y_j(t-1)
  let a = linear
    ? affine(g, below, transposed(`${where}.weight`, params.weight, H, l.inputWidth), weightData(`${where}.bias`, params.bias, [H]), l.inputWidth, H, `${l.name}_in`)
    : affine(g, below, transposed(`${where}.weight_ih`, params.weight_ih, G * H, l.inputWidth), weightData(`${where}.bias_ih`, params.bias_ih, [G * H]), l.inputWidth, G * H, `${l.name}_in`);
  for (const edge of plan.edges.filter((e) => e.toIndex === l.index)) {
    const source = plan.layers[edge.fromIndex];
    const F = transposed(`feedback.${edge.key}.weight`, net.feedback?.[edge.key]?.weight, G * H, source.size);
    a = g.op1('Add', [a, affine(g, previousH[edge.fromIndex], F, null, source.size, G * H, `edge_${edge.key}`)], {}, `${l.name}_a`);
  }
  // own recurrence R(y(t-1)): full, diagonal (per gate), or none
  const own = previousH[l.index];
  let r: string | null = null;
  if (l.self === 'full') {
    r = affine(g, own, transposed(`${where}.weight_hh`, params.weight_hh, G * H, H), null, H, G * H, `${l.name}_hh`);
  } else if (l.self === 'diagonal') {
    const w = weightData(`${where}.weight_hh`, params.weight_hh, [G * H]);
    const tiled = G === 1 ? own : g.op1('Concat', new Array(G).fill(own), { axis: { int: 1 } }, `${l.name}_tiled`);
    r = g.op1('Mul', [tiled, g.floats(`${l.name}_w_hh`, w, [G * H])], {}, `${l.name}_hh`);
  }
  if (linear) return { h: r ? g.op1('Add', [a, r], {}, `${l.name}_y`) : a };
  const bhh = g.floats(`${l.name}_b_hh`, weightData(`${where}.bias_hh`, params.bias_hh, [G * H]), [G * H]);
  r = r ? g.op1('Add', [r, bhh], {}, `${l.name}_r`) : bhh; // [B, G*H] or [G*H]
  const gate = (value: string, block: number, hint: string): string =>
    g.op1('Slice', [value, g.int64s('start', [block * H]), g.int64s('end', [(block + 1) * H]), g.int64s('axis_last', [-1])], {}, hint);
  const add = (p: string, q: string, hint: string): string => g.op1('Add', [p, q], {}, hint);
  const sigmoid = (v: string): string => g.op1('Sigmoid', [v]);
  const tanh = (v: string): string => g.op1('Tanh', [v]);
  if (l.cell === 'lstm') {
    const pre = add(a, r, `${l.name}_pre`);
    const [i, f, gg, o] = [0, 1, 2, 3].map((b) => gate(pre, b, `${l.name}_gate${b}`));
    const c = add(g.op1('Mul', [sigmoid(f), previousC as string]), g.op1('Mul', [sigmoid(i), tanh(gg)]), `${l.name}_c`);
    return { h: g.op1('Mul', [sigmoid(o), tanh(c)], {}, `${l.name}_h`), c };
  }
  if (l.cell === 'gru') {
    const reset = sigmoid(add(gate(a, 0, `${l.name}_ar`), gate(r, 0, `${l.name}_rr`), `${l.name}_r_pre`));
    const update = sigmoid(add(gate(a, 1, `${l.name}_az`), gate(r, 1, `${l.name}_rz`), `${l.name}_z_pre`));
    const candidate = tanh(add(gate(a, 2, `${l.name}_an`), g.op1('Mul', [reset, gate(r, 2, `${l.name}_rn`)]), `${l.name}_n_pre`));
    const keepOld = g.op1('Mul', [update, own]);
    const takeNew = g.op1('Mul', [g.op1('Sub', [g.scalar(1, 'float32'), update]), candidate]);
    return { h: add(takeNew, keepOld, `${l.name}_h`) };
  }
  const pre = add(a, r, `${l.name}_pre`);
  const activation = l.cell === 'rnn_relu' || l.cell === 'indrnn_relu' ? 'Relu' : 'Tanh';
  return { h: g.op1(activation, [pre], {}, `${l.name}_h`) };
}

/** The widths of a network's state: `h` `[B, sum H]`, `c` `[B, sum H of LSTM layers]` (0 without). */
export function feedbackStateWidths(plan: FeedbackPlan): { h: number; c: number } {
  return {
    h: plan.layers.reduce((sum, l) => sum + l.size, 0),
    c: plan.layers.filter((l) => l.cell === 'lstm').reduce((sum, l) => sum + l.size, 0),
  };
}

/**
 * The graph of a feedback network alone: inputs `x` `[T, B, I]`, with `initialState` also `h0`
 * `[B, sum H]` (and `c0` `[B, sum H of LSTM layers]`), with `sequenceLens` also `sequence_lens`
 * `[B]` int32; outputs `output` `[T, B, H_last]`, `hn` `[B, sum H]`, and `cn` with LSTM layers
 * (the layout of `runFeedbackNetwork`'s state).
 */
export function feedbackNetworkGraph(net: FeedbackNetwork, options: { initialState?: boolean; sequenceLens?: boolean }): GraphBuilder {
  const plan = feedbackPlan(net);
  const widths = feedbackStateWidths(plan);
  const last = plan.layers[plan.layers.length - 1].size;
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', ['T', 'B', plan.inputSize], 'input [T, B, I]');
  const h0 = options.initialState ? g.input('h0', 'float32', ['B', widths.h], 'initial outputs of every layer [B, sum H], in layer order') : null;
  const c0 = options.initialState && widths.c > 0 ? g.input('c0', 'float32', ['B', widths.c], 'initial cell states of the LSTM layers [B, sum H]') : null;
  const lens = options.sequenceLens ? g.input('sequence_lens', 'int32', ['B'], 'real steps per sequence [B]; padding trails') : null;
  const result = addFeedbackNetwork(g, net, { x, h0, c0, sequenceLens: lens });
  g.output(result.output, 'output', 'float32', ['T', 'B', last], 'the last layer output at every step; zeros past a sequence length');
  g.output(result.hn, 'hn', 'float32', ['B', widths.h], 'every layer output after its last real step [B, sum H]');
  if (result.cn) g.output(result.cn, 'cn', 'float32', ['B', widths.c], 'the LSTM layers cell states [B, sum H]');
  return g;
}
