import { Tensor } from '@loopflow/tensor';
import { gradientFlow } from '@loopflow/cells';
import { fail } from '../errors';
import type { ModelKind } from '../names';
import type { BenchModel } from '../models/create-model';
import type { TaskBatch, TaskInstance } from '../tasks/task';

/** `||dL/dh_t||` for every step of one recurrent layer. */
export interface FlowLayer {
  layer: number;
  norms: number[];
}

/** The gradient-flow curve of a recurrent model on one batch. */
export interface GradientFlowCurve {
  model: ModelKind;
  /** 'init': fresh weights; 'trained': after a training run. */
  stage: 'init' | 'trained';
  /** The task the loss came from ('adding/T=200'). */
  taskId: string;
  seed: number;
  /** Steps of the sequence (T). */
  length: number;
  layers: FlowLayer[];
  /** `norms[0] / norms[T - 1]` of the first layer: how much of the last step's gradient reaches step 0. */
  ratioFirstToLast: number;
}

/**
 * The gradient-flow curve of a recurrent bench model: the loss of `task` on `batch` (read
 * after the last step for the adding problem), and `||dL/dh_t||` of each layer at every step
 * (@loopflow/cells `gradientFlow`).
 *
 * @example flowCurve(model, task, task.validation[0], 'init', 0).ratioFirstToLast // ~1e-6 for a tanh RNN at T = 200
 */
export function flowCurve(model: BenchModel, task: TaskInstance, batch: TaskBatch, stage: 'init' | 'trained', seed: number): GradientFlowCurve {
  if (!model.recurrent || !model.readout) fail('INVALID_ARGUMENT', `flowCurve: model '${model.kind}' is not recurrent; gradient flow is measured for rnn, lstm, gru and indrnn`);
  const T = batch.inputs.shape[0];
  const readout = model.readout;
  const entries = gradientFlow(model.recurrent, batch.inputs, ({ output }): Tensor => task.evaluate(readout(output, task.readFrom(T)), batch).loss);
  const layers = entries.filter((e) => e.direction === 'forward').map((e) => ({ layer: e.layer, norms: e.norms }));
  const first = layers[0].norms;
  return { model: model.kind, stage, taskId: task.id, seed, length: T, layers, ratioFirstToLast: first[0] / first[T - 1] };
}
