import { DType, Random, Tensor, fmtShape, uniform } from '@loopflow/tensor';
import { CellError } from '../errors';
import { FeedbackDefinition } from './definition';
import { FeedbackPlan, planFeedback } from './plan';
import { validateFeedbackDefinition } from './validate';

/**
 * The parameters of a recurrent layer (rnn, lstm, gru, indrnn), under PyTorch's names:
 * `weight_ih` `[G*H, I]`, `bias_ih` and `bias_hh` `[G*H]`, and `weight_hh` `[G*H, H]` (full
 * self recurrence) or `[G*H]` (diagonal), absent without a self edge.
 */
export interface RecurrentLayerParameters {
  weight_ih: Tensor;
  weight_hh?: Tensor;
  bias_ih: Tensor;
  bias_hh: Tensor;
}

/**
 * The parameters of a `linear` layer, under `nn.Linear`'s names: `weight` `[H, I]`, `bias`
 * `[H]`, and `weight_hh` `[H, H]` or `[H]` when the layer has a self edge.
 */
export interface LinearLayerParameters {
  weight: Tensor;
  bias: Tensor;
  weight_hh?: Tensor;
}

/** The parameters of one layer of a feedback network. */
export type FeedbackLayerParameters = RecurrentLayerParameters | LinearLayerParameters;

/**
 * A feedback network as plain data: its normalized definition under `config` (JSON, skipped by
 * the parameter walker), each layer's parameters under `layers.<name>`, and each cross-layer
 * edge's matrix under `feedback.<from>_to_<to>.weight` `[G_to*H_to, H_from]`. So
 * `namedParameters(net)` gives names like `layers.h1.weight_ih`, `feedback.out_to_h1.weight`.
 */
export interface FeedbackNetwork {
  readonly kind: 'feedback';
  readonly config: FeedbackDefinition;
  readonly layers: Record<string, FeedbackLayerParameters>;
  readonly feedback: Record<string, { weight: Tensor }>;
}

/** Options of {@link createFeedbackNetwork}. */
export interface CreateFeedbackOptions {
  /** Element type of the parameters (default 'float32'; 'float64' for gradCheck). */
  dtype?: DType;
}

/** How a parameter is drawn: U(low, high). */
interface ParameterSpec {
  shape: number[];
  low: number;
  high: number;
}

/**
 * Every parameter of the network a definition builds, by dotted name (the names
 * `namedParameters` gives), with its shape, in creation order.
 *
 * @example feedbackParameterShapes(definition)['feedback.out_to_h1.weight'] // [16, 2]
 */
export function feedbackParameterShapes(definition: FeedbackDefinition): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const [name, spec] of Object.entries(parameterSpecs(planFeedback(definition)))) shapes[name] = spec.shape;
  return shapes;
}

function parameterSpecs(plan: FeedbackPlan): Record<string, ParameterSpec> {
  const specs: Record<string, ParameterSpec> = {};
  for (const l of plan.layers) {
    const rows = l.gates * l.size;
    const k = 1 / Math.sqrt(l.size);
    const self: ParameterSpec | null =
      l.self === 'full' ? { shape: [rows, l.size], low: -k, high: k } : l.self === 'diagonal' ? { shape: [rows], low: 0, high: 1 } : null;
    const at = `layers.${l.name}`;
    if (l.cell === 'linear') {
      const kIn = 1 / Math.sqrt(l.inputWidth);
      specs[`${at}.weight`] = { shape: [rows, l.inputWidth], low: -kIn, high: kIn };
      specs[`${at}.bias`] = { shape: [rows], low: -kIn, high: kIn };
      if (self) specs[`${at}.weight_hh`] = self;
    } else {
      specs[`${at}.weight_ih`] = { shape: [rows, l.inputWidth], low: -k, high: k };
      if (self) specs[`${at}.weight_hh`] = self;
      specs[`${at}.bias_ih`] = { shape: [rows], low: -k, high: k };
      specs[`${at}.bias_hh`] = { shape: [rows], low: -k, high: k };
    }
  }
  for (const e of plan.edges) {
    const to = plan.layers[e.toIndex];
    const k = 1 / Math.sqrt(to.size);
    specs[`feedback.${e.key}.weight`] = { shape: [to.gates * to.size, plan.layers[e.fromIndex].size], low: -k, high: k };
  }
  return specs;
}

/**
 * Builds a feedback network from its definition (validated first; see
 * `validateFeedbackDefinition`). Initialization, drawn in the order of
 * {@link feedbackParameterShapes}: as PyTorch's recurrent layers, every weight and bias of a
 * recurrent layer and every feedback matrix into a layer of H neurons from U(-1/sqrt(H), 1/sqrt(H));
 * a linear layer as `nn.Linear` (U(+-1/sqrt(inputs))); diagonal self weights (direct, indrnn)
 * from U(0, 1), as IndRNN. Parameters are trainable leaves.
 *
 * @example
 * const net = createFeedbackNetwork(new Random(0), {
 *   inputSize: 3,
 *   layers: [{ name: 'h1', size: 16, cell: 'rnn_tanh' }, { name: 'out', size: 2, cell: 'linear' }],
 *   feedback: [{ kind: 'indirect', from: 'out', to: 'h1' }],
 * });
 * namedParameters(net).map(([n]) => n);
 * // ['layers.h1.weight_ih', 'layers.h1.bias_ih', 'layers.h1.bias_hh', 'layers.out.weight', 'layers.out.bias', 'feedback.out_to_h1.weight']
 */
export function createFeedbackNetwork(rng: Random, definition: FeedbackDefinition, options: CreateFeedbackOptions = {}): FeedbackNetwork {
  const config = validateFeedbackDefinition(definition);
  const dtype = options.dtype ?? 'float32';
  const layers: Record<string, Record<string, Tensor>> = {};
  const feedback: Record<string, { weight: Tensor }> = {};
  for (const l of config.layers) layers[l.name] = {};
  for (const [name, spec] of Object.entries(parameterSpecs(planFeedback(config)))) {
    const p = uniform(rng, spec.shape, spec.low, spec.high, { dtype, requiresGrad: true });
    p.name = name;
    const [group, key, param] = name.split('.');
    if (group === 'layers') layers[key][param] = p;
    else feedback[key] = { weight: p };
  }
  return { kind: 'feedback', config, layers: layers as unknown as Record<string, FeedbackLayerParameters>, feedback };
}

/** Reads `layers.<name>.<param>` or `feedback.<key>.weight` of a network. */
function lookup(net: FeedbackNetwork, name: string): unknown {
  const [group, key, param] = name.split('.');
  const holder = (group === 'layers' ? net.layers : net.feedback) as Record<string, Record<string, unknown> | undefined>;
  return holder?.[key]?.[param];
}

/**
 * Checks that a network holds every parameter its definition needs, with the right shape and
 * one dtype; returns that dtype. Throws `MISSING_PARAMETER` or `PARAMETER_SHAPE` naming the
 * parameter, or `INVALID_CONFIG` for a bad definition.
 */
export function checkFeedbackNetwork(net: FeedbackNetwork): DType {
  if (!net || typeof net !== 'object' || net.kind !== 'feedback' || !net.config) {
    throw new CellError('INVALID_ARGUMENT', `feedback network: expected a network from createFeedbackNetwork() ({ kind: 'feedback', config, layers, feedback }), received ${net === null ? 'null' : typeof net}`);
  }
  let dtype: DType | null = null;
  for (const [name, shape] of Object.entries(feedbackParameterShapes(net.config))) {
    const p = lookup(net, name);
    if (!(p instanceof Tensor)) {
      throw new CellError('MISSING_PARAMETER', `feedback network: parameter '${name}' is ${p === undefined ? 'missing' : `not a Tensor (${typeof p})`}; its definition needs one of shape ${fmtShape(shape)}. Build the network with createFeedbackNetwork() or load a complete state dict`);
    }
    if (p.shape.length !== shape.length || p.shape.some((d, i) => d !== shape[i])) {
      throw new CellError('PARAMETER_SHAPE', `feedback network: parameter '${name}' has shape ${fmtShape(p.shape)}, expected ${fmtShape(shape)}; load weights made for this definition`);
    }
    if (dtype && p.dtype !== dtype) {
      throw new CellError('PARAMETER_SHAPE', `feedback network: parameter '${name}' is ${p.dtype} but earlier parameters are ${dtype}; convert every parameter to one dtype`);
    }
    dtype = p.dtype;
  }
  return dtype ?? 'float32';
}
