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
  /** The seed of the data's random choices (a `random-split` without its own seed); default `seed`. A search keeps it for every trial. */
  dataSeed?: number;
  /** The memory (MB) training may plan to use; default 75% of this machine's. Validation refuses a model whose estimate exceeds it. */
  memoryLimitMB?: number;
  stages: StageEntry[];
  search?: SearchBlock;
}

/** One searched field's values or range. */
export type ParameterSpec =
  | { values: unknown[] }
  | { choice: unknown[] }
  | { uniform: [number, number] }
  | { logUniform: [number, number] }
  | { int: [number, number] };

/** A definition's `search` block. */
export interface SearchBlock {
  method?: 'grid' | 'random';
  trials?: number;
  seed?: number;
  parallel?: number;
  metric?: string;
  mode?: 'min' | 'max';
  parameters: Record<string, ParameterSpec>;
}
