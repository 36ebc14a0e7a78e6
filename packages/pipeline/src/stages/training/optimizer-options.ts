import { ALL_METRICS, metricMode } from '../../vocabulary/metric-set';
import type { Tensor } from '@loopflow/tensor';
import {
  adagrad, adam, adamw, cosineAnnealingLR, exponentialLR, linearWarmup, lrScheduler, multiStepLR, Optimizer, reduceLROnPlateau, rmsprop, sgd, stepLR,
} from '@loopflow/optimizers';
import type { TrainScheduler } from '@loopflow/training';
import type { JsonSchema } from '../../vocabulary/stage';

/** An optimizer as a definition names it. */
export type OptimizerOptions =
  | { kind: 'sgd'; lr?: number; momentum?: number; nesterov?: boolean; weightDecay?: number }
  | { kind: 'adam' | 'adamw'; lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; amsgrad?: boolean }
  | { kind: 'rmsprop'; lr?: number; alpha?: number; eps?: number; momentum?: number; centered?: boolean; weightDecay?: number }
  | { kind: 'adagrad'; lr?: number; lrDecay?: number; eps?: number; weightDecay?: number };

/** A learning-rate schedule as a definition names it. */
export type ScheduleOptions =
  | { kind: 'step'; stepSize: number; gamma?: number; every?: 'epoch' | 'step' }
  | { kind: 'multi-step'; milestones: number[]; gamma?: number; every?: 'epoch' | 'step' }
  | { kind: 'exponential'; gamma: number; every?: 'epoch' | 'step' }
  | { kind: 'cosine'; tMax?: number; etaMin?: number; every?: 'epoch' | 'step' }
  | { kind: 'warmup'; steps: number; startFactor?: number; every?: 'epoch' | 'step' }
  | { kind: 'plateau'; factor?: number; patience?: number; threshold?: number; cooldown?: number; minLr?: number; monitor?: string };

const lr = { type: 'number', exclusiveMinimum: 0, description: 'Learning rate.' };
const weightDecay = { type: 'number', minimum: 0, default: 0, description: 'L2 penalty (decoupled for adamw).' };
const eps = { type: 'number', exclusiveMinimum: 0 };
const branch = (kind: string | string[], description: string, properties: Record<string, unknown>, required: string[] = []): JsonSchema => ({
  type: 'object',
  description,
  additionalProperties: false,
  required: ['kind', ...required],
  properties: { kind: Array.isArray(kind) ? { enum: kind } : { const: kind }, ...properties },
});

/** JSON Schema of the `optimizer` option (PyTorch's defaults apply to what is left out). */
export const OPTIMIZER_SCHEMA: JsonSchema = {
  type: 'object',
  description: "The optimizer (default { kind: 'adam', lr: 0.001 }).",
  required: ['kind'],
  properties: { kind: { type: 'string', enum: ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'] } },
  discriminator: { propertyName: 'kind' },
  oneOf: [
    branch('sgd', 'Stochastic gradient descent, with momentum and Nesterov.', { lr: { ...lr, default: 0.01 }, momentum: { type: 'number', minimum: 0, default: 0 }, nesterov: { type: 'boolean', default: false }, weightDecay }),
    branch('adam', 'Adam.', { lr: { ...lr, default: 0.001 }, betas: { type: 'array', items: { type: 'number', minimum: 0, exclusiveMaximum: 1 }, minItems: 2, maxItems: 2, default: [0.9, 0.999] }, eps, weightDecay, amsgrad: { type: 'boolean', default: false } }),
    branch('adamw', 'Adam with decoupled weight decay.', { lr: { ...lr, default: 0.001 }, betas: { type: 'array', items: { type: 'number', minimum: 0, exclusiveMaximum: 1 }, minItems: 2, maxItems: 2, default: [0.9, 0.999] }, eps, weightDecay: { ...weightDecay, default: 0.01 }, amsgrad: { type: 'boolean', default: false } }),
    branch('rmsprop', 'RMSprop.', { lr: { ...lr, default: 0.01 }, alpha: { type: 'number', minimum: 0, maximum: 1, default: 0.99 }, eps, momentum: { type: 'number', minimum: 0, default: 0 }, centered: { type: 'boolean', default: false }, weightDecay }),
    branch('adagrad', 'Adagrad.', { lr: { ...lr, default: 0.01 }, lrDecay: { type: 'number', minimum: 0, default: 0 }, eps, weightDecay }),
  ],
};

const every = { enum: ['epoch', 'step'], default: 'epoch', description: 'Advance the schedule after every epoch or every optimizer step.' };

/** JSON Schema of the `schedule` option. */
export const SCHEDULE_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'A learning-rate schedule.',
  required: ['kind'],
  properties: { kind: { type: 'string', enum: ['step', 'multi-step', 'exponential', 'cosine', 'warmup', 'plateau'] } },
  discriminator: { propertyName: 'kind' },
  oneOf: [
    branch('step', 'lr x gamma every stepSize steps.', { stepSize: { type: 'integer', minimum: 1 }, gamma: { type: 'number', exclusiveMinimum: 0, default: 0.1 }, every }, ['stepSize']),
    branch('multi-step', 'lr x gamma at each milestone.', { milestones: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1 } }, gamma: { type: 'number', exclusiveMinimum: 0, default: 0.1 }, every }, ['milestones']),
    branch('exponential', 'lr x gamma every step.', { gamma: { type: 'number', exclusiveMinimum: 0 }, every }, ['gamma']),
    branch('cosine', 'Cosine annealing from lr to etaMin over tMax steps.', { tMax: { type: 'integer', minimum: 1, description: 'Steps of the half cosine (default: the epochs, or all optimizer steps with every: step).' }, etaMin: { type: 'number', minimum: 0, default: 0 }, every }),
    branch('warmup', 'Linear warm-up from startFactor x lr to lr over `steps` steps.', { steps: { type: 'integer', minimum: 1 }, startFactor: { type: 'number', minimum: 0, maximum: 1, default: 0 }, every }, ['steps']),
    branch('plateau', 'Reduce lr by factor when the validation metric stops improving (once per epoch).', {
      factor: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.1 },
      patience: { type: 'integer', minimum: 0, default: 10 },
      threshold: { type: 'number', minimum: 0, default: 0.0001 },
      cooldown: { type: 'integer', minimum: 0, default: 0 },
      minLr: { type: 'number', minimum: 0, default: 0 },
      monitor: { enum: [...ALL_METRICS], default: 'loss', description: "The validation metric watched: any metric the evaluation reports for the task (as earlyStopping.monitor); lowered on a plateau of an error, raised for accuracy, precision, recall and f1." },
    }),
  ],
};

/** The optimizer a definition names, over `params`. */
export function makeOptimizer(o: OptimizerOptions | undefined, params: Tensor[]): Optimizer {
  const options = o ?? { kind: 'adam' };
  const { kind, ...rest } = options;
  switch (kind) {
    case 'sgd':
      return sgd(params, rest);
    case 'adam':
      return adam(params, rest);
    case 'adamw':
      return adamw(params, rest);
    case 'rmsprop':
      return rmsprop(params, rest);
    case 'adagrad':
      return adagrad(params, rest);
  }
}

/** The scheduler a definition names, for `optimizer`; `totalSteps` sizes a cosine schedule without tMax. */
export function makeScheduler(o: ScheduleOptions, optimizer: Optimizer, totalSteps: number): TrainScheduler {
  switch (o.kind) {
    case 'step':
      return lrScheduler(optimizer, stepLR(o.stepSize, o.gamma));
    case 'multi-step':
      return lrScheduler(optimizer, multiStepLR(o.milestones, o.gamma));
    case 'exponential':
      return lrScheduler(optimizer, exponentialLR(o.gamma));
    case 'cosine':
      return lrScheduler(optimizer, cosineAnnealingLR(o.tMax ?? totalSteps, o.etaMin));
    case 'warmup':
      return lrScheduler(optimizer, linearWarmup(o.steps, o.startFactor));
    case 'plateau':
      // 'max' for a metric where higher is better (accuracy...): a plateau is where it stops rising
      return reduceLROnPlateau(optimizer, { mode: metricMode(o.monitor ?? 'loss'), factor: o.factor, patience: o.patience, threshold: o.threshold, cooldown: o.cooldown, minLr: o.minLr });
  }
}
