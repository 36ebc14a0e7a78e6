/**
 * What a pipeline model's `description` says (model.json's `architecture`), as this package
 * reads it: `@loopflow/pipeline`'s `ModelDescription`, restated so that this package does not
 * import the pipeline (it sits below it).
 */
export interface PipelineModelDescription {
  /** 'recurrent', 'attention' or 'feedback'. */
  kind: string;
  /** What the head predicts: next-token logits, class logits, or a forecast. */
  task: 'language-model' | 'classification' | 'forecast';
  /** The model stage's options as run (read here: `pooling`). */
  options: Record<string, unknown>;
  /** Token ids of a vocabulary (`vocabSize`), or features (`size` columns). */
  input: { /** Token ids. */ kind: 'tokens'; /** Ids are in [0, vocabSize). */ vocabSize: number } | { /** Real-valued features. */ kind: 'features'; /** Columns per step. */ size: number };
  /** Width of the head's output. */
  outputSize: number;
  /** Forecasting: rows predicted. */
  horizon?: number;
  /** Forecasting: columns per row. */
  targetFeatures?: number;
}

/** A pipeline's model (`PipelineModel` of `@loopflow/pipeline`, as `loadModel` gives it): its description and its modules. */
export interface PipelineModelLike {
  /** The architecture (model.json's `architecture`). */
  description: PipelineModelDescription;
  /** The parameters as a tree of plain objects (`{ embedding?, rnn, head }` or `{ transformer }`). */
  modules: object;
}
