import type { Scaler, TokenizerConfig, Vocabulary } from '@loopflow/data';

/** How a series was windowed (what a forecast needs to cut its own input). */
export interface SeriesLayout {
  lookBack: number;
  horizon: number;
  /** Row columns fed to the model. */
  inputColumns: number[];
  /** Row columns predicted. */
  targetColumns: number[];
  /** The last `lookBack` rows of the whole series (scaled as the model saw them), to forecast what follows. */
  lastRows?: number[][];
}

/**
 * Things fitted or decided along the pipeline that later stages, the evaluation and the
 * saved model need: the tokenizer and vocabulary, the scaler (fitted on the training split
 * only, inverted to report errors in the original units), the names of columns and classes.
 * One object per run, filled in stream order.
 */
export interface Artifacts {
  tokenizer?: TokenizerConfig;
  vocabulary?: Vocabulary;
  scaler?: Scaler;
  /** Names of the columns of numeric rows. */
  columns?: string[];
  /** Class names by index, when labels were mapped from values. */
  labels?: string[];
  series?: SeriesLayout;
  /** Rows per split seen by the scaler, samples per split... (for the report). */
  counts?: Record<string, number>;
}
