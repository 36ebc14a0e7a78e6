import type { SearchBlock } from '../search/search-space';

/** One entry of `stages`: the registered stage's name and its options. */
export interface StageEntry {
  stage: string;
  [option: string]: unknown;
}

/** A pipeline definition as read from JSON (after validation). */
export interface PipelineDefinition {
  $schema?: string;
  name: string;
  description?: string;
  seed?: number;
  stages: StageEntry[];
  search?: SearchBlock;
}
