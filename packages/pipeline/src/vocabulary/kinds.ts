/**
 * What flows between stages. Item kinds are streams of items tagged with their split (after a
 * split stage); the later kinds are one coarse element each (a prepared dataset, a model...).
 */
export type DataKind =
  | 'none'
  | 'records'
  | 'texts'
  | 'tokens'
  | 'ids'
  | 'rows'
  | 'samples'
  | 'batches'
  | 'model'
  | 'trained-model'
  | 'evaluation';

/** Every kind, in pipeline order, with what an element of it is (for messages and docs). */
export const DATA_KINDS: Readonly<Record<DataKind, string>> = {
  none: 'nothing (a source starts the pipeline)',
  records: 'records: one item per row or line, any JSON value (CSV rows are objects)',
  texts: 'texts: one string per item',
  tokens: 'tokens: one array of token strings per item',
  ids: 'token ids: one array of vocabulary ids per item (the vocabulary travels with them)',
  rows: 'numeric rows: one array of numbers per time step of a series',
  samples: 'samples: language-model, labelled or series-window samples',
  batches: 'a prepared dataset: the samples of each split with their batching',
  model: 'a model ready to train, with its data',
  'trained-model': 'a trained model with its training history',
  evaluation: 'the trained model with its metrics on the validation and test splits',
};

/** The kinds, in order. */
export const KIND_ORDER: readonly DataKind[] = Object.keys(DATA_KINDS) as DataKind[];
