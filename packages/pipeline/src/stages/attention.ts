/** The model stage of @loopflow/attention: transformers. */
import type { StageRegistry } from '../registry/registry';
import { attentionStage } from './model/attention';

/** Registers the attention stages. */
export function registerAttentionStages(registry: StageRegistry): StageRegistry {
  return registry.register(attentionStage);
}
