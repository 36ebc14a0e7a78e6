import type { Scaler, TokenizerConfig, Vocabulary } from '@loopflow/data';
import type { SplitName } from './items';

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
  /**
   * Which future rows a sample's target holds: 'all' (default) the next `horizon` rows;
   * 'last' only the row `horizon` steps after the window's last row.
   */
  targetSteps?: 'all' | 'last';
  /**
   * Present when the series was differenced (the `difference` stage): the model reads and
   * predicts `row[t] - row[t - lag]`; `lastRows` are the last `lag` rows before differencing
   * (original units), from which a forecast is turned back into values.
   */
  difference?: { lag: number; lastRows: number[][] };
}

/** The rows of a series with the split of each, in time order. */
export interface SplitRows {
  rows: number[][];
  splits: SplitName[];
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
  /** A label per row of the source series (e.g. the month '2014-02'; before any differencing), set by sources that know it; for plots. */
  rowLabels?: string[];
  /**
   * Set by `difference`: the lag, and the rows before differencing (original units, every
   * split) with their splits. Row `i` of the differenced series is row `i + lag` here.
   */
  difference?: { lag: number } & SplitRows;
  /** Set by `windows`: the rows it cut (as the model sees them: scaled, differenced) with their splits; sample `index`es point into them. */
  windowRows?: SplitRows;
}
