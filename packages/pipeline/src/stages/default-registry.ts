import { StageRegistry } from '../registry/registry';
import { registerDataStages } from './data';
import { registerCellsStages } from './cells';
import { registerAttentionStages } from './attention';
import { registerPipelineStages } from './pipeline';

let shared: StageRegistry | undefined;

/**
 * A new registry holding every built-in stage (data, datasets, cells, attention, pipeline). Add your own
 * stages to it with `register`.
 */
export function createDefaultRegistry(): StageRegistry {
  return registerPipelineStages(registerAttentionStages(registerCellsStages(registerDataStages(new StageRegistry()))));
}

/** The shared registry of built-in stages (created once). */
export function defaultRegistry(): StageRegistry {
  shared ??= createDefaultRegistry();
  return shared;
}
