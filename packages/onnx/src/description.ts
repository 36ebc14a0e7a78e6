/**
 * What a pipeline model's `description` says (model.json's `architecture`), as this package
 * reads it: `@loopflow/pipeline`'s `ModelDescription`, restated so that this package does not
 * import the pipeline (it sits below it).
 */
export interface PipelineModelDescription {
  /** 'recurrent', 'attention' or 'feedback'. */
  kind: string;
  task: 'language-model' | 'classification' | 'forecast';
  options: Record<string, unknown>;
  input: { kind: 'tokens'; vocabSize: number } | { kind: 'features'; size: number };
  outputSize: number;
  horizon?: number;
  targetFeatures?: number;
}

/** A pipeline's model (`PipelineModel` of `@loopflow/pipeline`, as `loadModel` gives it): its description and its modules. */
export interface PipelineModelLike {
  description: PipelineModelDescription;
  modules: object;
}
