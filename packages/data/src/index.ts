/**
 * @loopflow/data — data for recurrent models as RxJS streams: generic sources (text, CSV,
 * JSON lines), tokenizers and vocabularies, sequence tasks, series windows and differencing,
 * scalers fitted on the training split only, splits, shuffling, and batching with padding
 * and masks. Every stream step is an `OperatorFunction`. Depends only on @loopflow/tensor.
 * The loaders of the datasets shipped in npm packages are in @loopflow/datasets.
 */
export { DataError } from './errors';
export type { DataLocation } from './errors';

// Sources
export { fromReadable } from './sources/from-readable';
export { splitLines } from './sources/split-lines';
export type { TextLine, SplitLinesOptions } from './sources/split-lines';
export { readText, readLines } from './sources/text-file';
export type { ReadTextOptions } from './sources/text-file';
export { parseJsonLines } from './sources/parse-json-lines';
export type { ParseJsonLinesOptions } from './sources/parse-json-lines';
export { readJsonLines } from './sources/jsonl-file';
export { csvRecords } from './sources/csv-records';
export type { CsvRecord, CsvRecordsOptions, CsvSource } from './sources/csv-records';
export { csvRows } from './sources/csv-rows';
export type { ColumnSpec, ColumnType, CsvRow, CsvRowsOptions, CsvValue } from './sources/csv-rows';
export { readCsv } from './sources/csv-file';
export { readCsvHeader } from './sources/csv-header';
export type { ReadCsvHeaderOptions } from './sources/csv-header';
export type { ReadCsvOptions } from './sources/csv-file';
export type { BadRowOptions, BadRowPolicy, ReadSummary } from './sources/bad-rows';

// Text
export { charTokenizer, wordTokenizer, tokenizerFromJSON } from './text/tokenizer';
export type { Tokenizer, TokenizerConfig } from './text/tokenizer';
export { Vocabulary, DEFAULT_SPECIALS } from './text/vocabulary';
export type { SpecialTokens, VocabularyJSON, VocabularyOptions } from './text/vocabulary';
export { tokenize } from './text/tokenize';
export { buildVocabulary } from './text/build-vocabulary';
export { encode } from './text/encode';

// Sequence tasks
export type { Sample, TokenSample, LabelledSample, SeriesSample } from './sequences/samples';
export { nextTokenWindows } from './sequences/next-token-windows';
export type { NextTokenWindowsOptions } from './sequences/next-token-windows';
export { nextTokenPairs } from './sequences/next-token-pairs';
export { sequenceToLabel } from './sequences/sequence-to-label';
export type { SequenceToLabelOptions } from './sequences/sequence-to-label';

// Series
export { seriesWindows } from './series/series-windows';
export type { SeriesWindowsOptions } from './series/series-windows';
export { difference, differences } from './series/difference';
export { undifference, invertDifferences } from './series/undifference';
export { fillGaps } from './series/fill-gaps';
export type { TimedRow, FilledRow } from './series/fill-gaps';

// Scalers
export { Scaler, ScalerFitter } from './scalers/scaler';
export type { ScalerJSON, ScalerKind } from './scalers/scaler';
export { fitScaler } from './scalers/fit-scaler';
export { scale } from './scalers/scale';
export { unscale } from './scalers/unscale';

// Splits
export type { Split, SplitFractions } from './splits/split';
export { splitSizes } from './splits/split';
export { randomSplit } from './splits/random-split';
export { chronologicalSplit } from './splits/chronological-split';
export type { ChronologicalSplit } from './splits/chronological-split';
export { groupedSplit } from './splits/grouped-split';

// Batching
export { collate } from './batching/collate';
export type { Batch, CollateOptions } from './batching/collate';
export { batch } from './batching/batch';
export type { BatchOptions } from './batching/batch';
export { bucketByLength } from './batching/bucket-by-length';
export type { BucketByLengthOptions } from './batching/bucket-by-length';
export { shuffle } from './batching/shuffle';
export type { ShuffleOptions } from './batching/shuffle';
