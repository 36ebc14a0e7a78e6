import { Tensor } from '@loopflow/tensor';
import { LinearModule, linear } from './linear';
import { EmbeddingModule, embedding } from './embedding';
import { LayerNormModule, layerNorm } from './layer-norm';
import { DropoutModule, dropout } from './dropout';
import { ActivationModule, activation } from './activation';
import { fail } from './errors';

/** Modules run in order, as `torch.nn.Sequential`; parameters are named `layers.<i>.<name>`. */
export interface SequentialModule {
  kind: 'sequential';
  layers: Module[];
}

/** Every module kind `forward` dispatches on. */
export type Module = LinearModule | EmbeddingModule | LayerNormModule | DropoutModule | SequentialModule | ActivationModule;

/** Options of `forward`. */
export interface ForwardOptions {
  /**
   * Training mode (dropout active). Default false: evaluation, so inference never drops
   * units by accident; a training loop passes `{ training: true }`.
   */
  training?: boolean;
}

/**
 * A Sequential of `layers` (the array is copied; the modules are shared).
 *
 * @example
 * const mlp = createSequential([createLinear(rng, 4, 16), createActivation('relu'), createLinear(rng, 16, 1)]);
 * forward(mlp, x); // [B, 4] -> [B, 1]
 */
export function createSequential(layers: Module[]): SequentialModule {
  return { kind: 'sequential', layers: layers.slice() };
}

/**
 * Runs any module on `x`, dispatching on `kind`: linear, embedding (x holds the indices),
 * layerNorm, dropout (active only with `training: true`), activation, and sequential
 * (its layers in order, with the same options).
 *
 * @example forward(model, x, { training: true })
 */
export function forward(m: Module, x: Tensor, options: ForwardOptions = {}): Tensor {
  const training = options.training ?? false;
  switch (m.kind) {
    case 'linear': return linear(m, x);
    case 'embedding': return embedding(m, x);
    case 'layerNorm': return layerNorm(m, x);
    case 'dropout': return dropout(m, x, training);
    case 'activation': return activation(m, x);
    case 'sequential': {
      let y = x;
      for (const layer of m.layers) y = forward(layer, y, options);
      return y;
    }
    default: {
      const kind = (m as { kind?: unknown } | null)?.kind;
      return fail('UNKNOWN_MODULE', `forward: module kind ${JSON.stringify(kind)} is not known; expected one of linear, embedding, layerNorm, dropout, activation, sequential (call a custom module's own function instead)`);
    }
  }
}
