import { DType, Tensor, allocate, fromArray } from '@loopflow/tensor';
import { DataError } from '../errors';
import type { Sample, SeriesSample } from '../sequences/samples';

/**
 * A batch, time-major as the cells use it (`T` = longest input in the batch, `B` = samples):
 * - `inputs`: token ids `[T, B]` (kinds 'tokens' and 'labelled'; pass to `gather` for
 *   embeddings), or values `[T, B, F]` (kind 'series');
 * - `targets`: next-token ids `[T, B]` ('tokens'), class indices `[B]` ('labelled'), or
 *   values `[H, B, Ft]` ('series', `H` = horizon);
 * - `mask`: `[T, B]`, 1 at real steps and 0 at padding (padding is at the end of a sequence,
 *   filled with `padId` in inputs and targets);
 * - `lengths`: the real length of each sample, `[B]`.
 */
export interface Batch {
  readonly kind: Sample['kind'];
  readonly inputs: Tensor;
  readonly targets: Tensor;
  readonly mask: Tensor;
  readonly lengths: readonly number[];
  /** `B`, the number of samples. */
  readonly size: number;
}

/** Options of {@link collate} and the batching operators. */
export interface CollateOptions {
  /** Id written into padded steps of token inputs and targets (default 0, the vocabulary's pad). */
  readonly padId?: number;
  /** Element type of the tensors (default 'float32'). */
  readonly dtype?: DType;
}

/**
 * Stacks samples of one kind into a time-major {@link Batch}, padding shorter sequences at
 * the end and masking the padding. Samples of mixed kinds, or series samples whose feature
 * counts or horizons differ, are a `DATA_SHAPE` error.
 *
 * @example
 * collate([{ kind: 'tokens', input: [5, 6], target: [6, 7] }, { kind: 'tokens', input: [8], target: [9] }])
 * // inputs [2, 2]: [[5, 8], [6, 0]]; mask [[1, 1], [1, 0]]; lengths [2, 1]
 */
export function collate(samples: readonly Sample[], options: CollateOptions = {}): Batch {
  if (samples.length === 0) throw new DataError('DATA_SHAPE', 'collate: no samples; expected at least one');
  const kind = samples[0].kind;
  const padId = options.padId ?? 0;
  const dtype = options.dtype ?? 'float32';
  const B = samples.length;
  const lengths = samples.map((s, b) => {
    if (s.kind !== kind) throw new DataError('DATA_SHAPE', `collate: sample ${b} is '${s.kind}' but sample 0 is '${kind}'; expected one kind per batch`);
    if (s.input.length === 0) throw new DataError('DATA_SHAPE', `collate: sample ${b} has an empty input; expected at least one step`);
    return s.input.length;
  });
  let T = 0; // a loop: Math.max(...lengths) overflows the stack beyond ~120k samples
  for (const length of lengths) if (length > T) T = length;
  const mask = allocate(dtype, T * B);
  for (let b = 0; b < B; b++) for (let t = 0; t < lengths[b]; t++) mask[t * B + b] = 1; // [T, B]
  const maskTensor = fromArray(mask, [T, B]);
  if (kind === 'series') return collateSeries(samples as SeriesSample[], T, lengths, maskTensor, dtype);

  const inputs = allocate(dtype, T * B).fill(padId); // [T, B]
  for (let b = 0; b < B; b++) {
    const input = samples[b].input as readonly number[];
    for (let t = 0; t < input.length; t++) inputs[t * B + b] = input[t];
  }
  let targets: Tensor;
  if (kind === 'tokens') {
    const data = allocate(dtype, T * B).fill(padId); // [T, B]
    for (let b = 0; b < B; b++) {
      const s = samples[b] as Extract<Sample, { kind: 'tokens' }>;
      if (s.target.length !== s.input.length) throw new DataError('DATA_SHAPE', `collate: token sample ${b} has ${s.input.length} inputs but ${s.target.length} targets; expected one target per input`);
      for (let t = 0; t < s.target.length; t++) data[t * B + b] = s.target[t];
    }
    targets = fromArray(data, [T, B]);
  } else {
    const data = allocate(dtype, B); // [B]
    for (let b = 0; b < B; b++) data[b] = (samples[b] as Extract<Sample, { kind: 'labelled' }>).label;
    targets = fromArray(data, [B]);
  }
  return { kind, inputs: fromArray(inputs, [T, B]), targets, mask: maskTensor, lengths, size: B };
}

function collateSeries(samples: readonly SeriesSample[], T: number, lengths: number[], mask: Tensor, dtype: DType): Batch {
  const B = samples.length;
  const F = samples[0].input[0].length;
  const H = samples[0].target.length;
  const Ft = H > 0 ? samples[0].target[0].length : 0;
  const inputs = allocate(dtype, T * B * F); // [T, B, F]
  const targets = allocate(dtype, H * B * Ft); // [H, B, Ft]
  samples.forEach((s, b) => {
    if (s.target.length !== H) throw new DataError('DATA_SHAPE', `collate: series sample ${b} has horizon ${s.target.length} but sample 0 has ${H}; expected one horizon per batch`);
    s.input.forEach((row, t) => {
      if (row.length !== F) throw new DataError('DATA_SHAPE', `collate: series sample ${b}, step ${t} has ${row.length} features but sample 0 has ${F}; expected the same features`);
      for (let f = 0; f < F; f++) inputs[(t * B + b) * F + f] = row[f];
    });
    s.target.forEach((row, h) => {
      if (row.length !== Ft) throw new DataError('DATA_SHAPE', `collate: series sample ${b}, target step ${h} has ${row.length} values but sample 0 has ${Ft}; expected the same target columns`);
      for (let f = 0; f < Ft; f++) targets[(h * B + b) * Ft + f] = row[f];
    });
  });
  return { kind: 'series', inputs: fromArray(inputs, [T, B, F]), targets: fromArray(targets, [H, B, Ft]), mask, lengths, size: B };
}
