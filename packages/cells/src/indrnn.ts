import { noGrad } from '@loopflow/tensor';
import { RecurrentModule, moduleCell, parameterName, parameterOf } from './module';
import { directionsOf } from './config';

/**
 * The IndRNN paper's bound on the recurrent weights for a relu IndRNN over `sequenceLength`
 * steps: `|w| <= maxGain^(1/T)`, so that `|w|^T` (the gradient gain through T steps along one
 * neuron) stays at most `maxGain` (default 2).
 *
 * @example createIndRNN(rng, { inputSize: 1, hiddenSize: 32, recurrentBound: indRNNBound(500) });
 */
export function indRNNBound(sequenceLength: number, maxGain = 2): number {
  return Math.pow(maxGain, 1 / sequenceLength);
}

/**
 * Applies a module's parameter constraints in place: for an IndRNN with
 * `config.recurrentBound`, clips every `weight_hh_l*` to `[-bound, bound]`. Call it after each
 * optimizer update. A no-op for other modules. Returns the module.
 *
 * @example optimizer.step(); constrain(indrnn);
 */
export function constrain(module: RecurrentModule): RecurrentModule {
  const bound = module.config.recurrentBound;
  if (bound === undefined || !moduleCell(module).diagonal) return module;
  noGrad(() => {
    for (let layer = 0; layer < module.config.numLayers; layer++) {
      for (let dir = 0; dir < directionsOf(module.config); dir++) {
        const w = parameterOf(module, parameterName('weight_hh', layer, dir === 1)).data;
        for (let i = 0; i < w.length; i++) {
          if (w[i] > bound) w[i] = bound;
          else if (w[i] < -bound) w[i] = -bound;
        }
      }
    }
  });
  return module;
}
