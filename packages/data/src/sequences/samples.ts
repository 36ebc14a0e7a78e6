/**
 * Samples: what the sequence tasks emit and the batchers collate. Token ids are integers of
 * a {@link Vocabulary}; series values are numbers per feature.
 */

/** Language modelling: `target[t]` is the token after `input[t]` (same length). */
export interface TokenSample {
  readonly kind: 'tokens';
  readonly input: readonly number[];
  readonly target: readonly number[];
}

/** Sequence classification: token ids and one class index. */
export interface LabelledSample {
  readonly kind: 'labelled';
  readonly input: readonly number[];
  readonly label: number;
}

/**
 * Series forecasting: `input` is `[lookBack][inputFeatures]`, `target` is
 * `[horizon][targetFeatures]`; `index` is the position of the first input row in the stream.
 */
export interface SeriesSample {
  readonly kind: 'series';
  readonly input: readonly (readonly number[])[];
  readonly target: readonly (readonly number[])[];
  readonly index: number;
}

/** Any sample the batchers accept. */
export type Sample = TokenSample | LabelledSample | SeriesSample;
