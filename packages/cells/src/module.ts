import { Tensor, fmtShape } from '@loopflow/tensor';
import { RecurrentConfig, directionsOf } from './config';
import { CellError } from './errors';
import { CELL_KINDS, CellKindSpec, ParameterBase, RecurrentKind, cellKindOf, cellParameterShapes } from './kinds';
import { CellParams } from './cells/operands';

/**
 * A recurrent layer stack as plain data: its kind, its config, and its parameters as direct
 * properties under PyTorch's names, so a generic walker (`namedParameters`) names them as
 * PyTorch does and a state dict moves between the two without conversion.
 *
 * ```
 * { kind: 'lstm', config: { inputSize, hiddenSize, numLayers, ... },
 *   weight_ih_l0 [4H, I], weight_hh_l0 [4H, H], bias_ih_l0 [4H], bias_hh_l0 [4H],
 *   weight_ih_l0_reverse ..., weight_ih_l1 [4H, D*H], ... }
 * ```
 * IndRNN's `weight_hh_l<k>` is a vector `[H]` (elementwise recurrence).
 */
export interface RecurrentModule {
  readonly kind: RecurrentKind;
  readonly config: RecurrentConfig;
  [parameterName: string]: Tensor | RecurrentKind | RecurrentConfig;
}

/** PyTorch's name of a parameter: `parameterName('weight_ih', 1, true)` is `weight_ih_l1_reverse`. */
export function parameterName(base: ParameterBase, layer: number, reverse: boolean): string {
  return `${base}_l${layer}${reverse ? '_reverse' : ''}`;
}

/**
 * Every parameter's name and shape, in PyTorch's order (per layer, per direction: weight_ih,
 * weight_hh, bias_ih, bias_hh).
 *
 * @example parameterShapes('gru', config)['weight_ih_l0'] // [3 * hiddenSize, inputSize]
 */
export function parameterShapes(kind: RecurrentKind, config: RecurrentConfig): Record<string, number[]> {
  const cell = cellKindOf(kind, config);
  const d = directionsOf(config);
  const shapes: Record<string, number[]> = {};
  for (let layer = 0; layer < config.numLayers; layer++) {
    const inputWidth = layer === 0 ? config.inputSize : d * config.hiddenSize;
    for (let dir = 0; dir < d; dir++) {
      for (const [base, shape] of cellParameterShapes(cell, inputWidth, config.hiddenSize, config.bias)) {
        shapes[parameterName(base, layer, dir === 1)] = shape;
      }
    }
  }
  return shapes;
}

/** The row of the table of cell kinds that a module's layers run (`rnn` + relu: `rnn_relu`). */
export function moduleCell(module: RecurrentModule): CellKindSpec {
  return CELL_KINDS[cellKindOf(module.kind, module.config)];
}

/** A module's parameters as `[name, tensor]` pairs in PyTorch's order (for optimizers, state dicts). */
export function recurrentParameters(module: RecurrentModule): [string, Tensor][] {
  return Object.keys(parameterShapes(module.kind, module.config)).map((name) => [name, parameterOf(module, name)]);
}

/** The parameter `name` of `module`, or a `MISSING_PARAMETER` error naming it. */
export function parameterOf(module: RecurrentModule, name: string): Tensor {
  const value = module[name];
  if (!(value instanceof Tensor)) {
    throw new CellError('MISSING_PARAMETER', `${module.kind}: parameter '${name}' is ${value === undefined ? 'missing' : `not a Tensor (${typeof value})`}; expected it for config ${JSON.stringify(module.config)}. Build the module with ${moduleCell(module).constructorName}() or load a complete state dict`);
  }
  return value;
}

/** The parameters of one layer and direction of `module`. */
export function layerParams(module: RecurrentModule, layer: number, reverse: boolean): CellParams {
  const bias = module.config.bias;
  return {
    weightIh: parameterOf(module, parameterName('weight_ih', layer, reverse)),
    weightHh: parameterOf(module, parameterName('weight_hh', layer, reverse)),
    biasIh: bias ? parameterOf(module, parameterName('bias_ih', layer, reverse)) : null,
    biasHh: bias ? parameterOf(module, parameterName('bias_hh', layer, reverse)) : null,
  };
}

/**
 * Checks that every parameter the config needs is present with the right shape and a single
 * dtype; returns that dtype. Throws `MISSING_PARAMETER` or `PARAMETER_SHAPE`.
 */
export function checkModule(module: RecurrentModule): 'float32' | 'float64' {
  if (!module || typeof module !== 'object' || typeof module.kind !== 'string' || !module.config) {
    throw new CellError('INVALID_ARGUMENT', `recurrent: expected a module from createRecurrent() ({ kind, config, weight_ih_l0, ... }), received ${typeof module}`);
  }
  let dtype: 'float32' | 'float64' | null = null;
  for (const [name, shape] of Object.entries(parameterShapes(module.kind, module.config))) {
    const p = parameterOf(module, name);
    if (p.shape.length !== shape.length || p.shape.some((s, i) => s !== shape[i])) {
      throw new CellError('PARAMETER_SHAPE', `${module.kind}: parameter '${name}' has shape ${fmtShape(p.shape)}, expected ${fmtShape(shape)} (inputSize ${module.config.inputSize}, hiddenSize ${module.config.hiddenSize}); load weights made for this config`);
    }
    if (dtype && p.dtype !== dtype) {
      throw new CellError('PARAMETER_SHAPE', `${module.kind}: parameter '${name}' is ${p.dtype} but earlier parameters are ${dtype}; convert every parameter to one dtype`);
    }
    dtype = p.dtype;
  }
  return dtype ?? 'float32';
}
