/** The pipeline package's own stages: training (with @loopflow/losses and @loopflow/optimizers), evaluation and outputs. */
import type { StageRegistry } from '../registry/registry';
import { trainStage } from './training/train-stage';
import { evaluateStage } from './training/evaluate-stage';
import { predictionsStage } from './outputs/predictions';
import { forecastStage, samplesStage } from './outputs/samples';
import { baselinesStage } from './evaluation/baselines';

/** Registers the training, evaluation and output stages. */
export function registerPipelineStages(registry: StageRegistry): StageRegistry {
  return registry.register(trainStage).register(evaluateStage).register(baselinesStage).register(predictionsStage).register(samplesStage).register(forecastStage);
}
