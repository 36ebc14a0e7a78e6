import { Tensor, relu, sigmoid, tanh } from '@loopflow/tensor';
import { fail } from './errors';

/** The activations an `ActivationModule` can name. */
export type ActivationName = 'tanh' | 'relu' | 'sigmoid';

const activations: Record<ActivationName, (x: Tensor) => Tensor> = { tanh, relu, sigmoid };

/** An elementwise activation as a module (no parameters), for use inside a Sequential. */
export interface ActivationModule {
  kind: 'activation';
  config: {
    /** Which function: 'tanh', 'relu' or 'sigmoid'. */
    name: ActivationName;
  };
}

/**
 * An activation module.
 *
 * @example createSequential([createLinear(rng, 4, 8), createActivation('tanh'), createLinear(rng, 8, 1)])
 */
export function createActivation(name: ActivationName): ActivationModule {
  if (!Object.prototype.hasOwnProperty.call(activations, name)) {
    fail('INVALID_ARGUMENT', `createActivation: unknown activation '${String(name)}'; expected one of ${Object.keys(activations).join(', ')}`);
  }
  return { kind: 'activation', config: { name } };
}

/** Applies the module's activation elementwise: `x [...] -> [...]`. */
export function activation(m: ActivationModule, x: Tensor): Tensor {
  const fn = Object.prototype.hasOwnProperty.call(activations, m.config.name) ? activations[m.config.name] : undefined;
  if (!fn) fail('INVALID_ARGUMENT', `activation: unknown activation '${String(m.config.name)}'; expected one of ${Object.keys(activations).join(', ')}`);
  return fn(x);
}
