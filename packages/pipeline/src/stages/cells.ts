/** The model stages of @loopflow/cells: recurrent stacks and feedback networks. */
import type { StageRegistry } from '../registry/registry';
import { recurrentStage } from './model/recurrent';
import { feedbackStage } from './model/feedback';

/** Registers the cells stages. */
export function registerCellsStages(registry: StageRegistry): StageRegistry {
  return registry.register(recurrentStage).register(feedbackStage);
}
