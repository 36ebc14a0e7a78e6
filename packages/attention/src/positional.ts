import { DType, Random, ShapeError, Tensor, add, allocate, arange, fmtShape, normal } from '@loopflow/tensor';
import { EmbeddingModule, embedding } from '@loopflow/layers';
import { checkPositiveInt, fail } from './errors';

/**
 * The sinusoidal position table of Vaswani et al. (2017), `[length, dModel]`:
 * `PE[pos, 2i] = sin(pos / base^(2i / dModel))`, `PE[pos, 2i+1] = cos(pos / base^(2i / dModel))`
 * (base 10000). An odd `dModel` ends with a sine column. Not trainable.
 *
 * @example sinusoidalEncoding(128, 64) // [128, 64]
 */
export function sinusoidalEncoding(length: number, dModel: number, options: { dtype?: DType; base?: number } = {}): Tensor {
  checkPositiveInt('sinusoidalEncoding', 'length', length);
  checkPositiveInt('sinusoidalEncoding', 'dModel', dModel);
  const base = options.base ?? 10000;
  const data = allocate(options.dtype ?? 'float32', length * dModel);
  for (let i = 0; 2 * i < dModel; i++) {
    const frequency = Math.pow(base, -(2 * i) / dModel);
    for (let pos = 0; pos < length; pos++) {
      const angle = pos * frequency;
      data[pos * dModel + 2 * i] = Math.sin(angle);
      if (2 * i + 1 < dModel) data[pos * dModel + 2 * i + 1] = Math.cos(angle);
    }
  }
  return new Tensor(data, [length, dModel]);
}

/** Fixed sinusoidal positions (no parameters). */
export interface SinusoidalPositions {
  kind: 'sinusoidalPositions';
  config: { dModel: number; base: number };
}

/** Learned positions: one trainable vector per position up to `maxLength` (an embedding of positions). */
export interface LearnedPositions {
  kind: 'learnedPositions';
  config: { dModel: number; maxLength: number };
  /** Its `weight` is `[maxLength, dModel]`. */
  embedding: EmbeddingModule;
}

/** Either kind of positional encoding. */
export type PositionalEncoding = SinusoidalPositions | LearnedPositions;

/** Sinusoidal positions for `dModel` features. @example createSinusoidalPositions(64) */
export function createSinusoidalPositions(dModel: number, options: { base?: number } = {}): SinusoidalPositions {
  checkPositiveInt('createSinusoidalPositions', 'dModel', dModel);
  const base = options.base ?? 10000;
  if (!(base > 1) || !Number.isFinite(base)) fail('INVALID_ARGUMENT', `createSinusoidalPositions: base = ${base}; expected a finite number > 1`);
  return { kind: 'sinusoidalPositions', config: { dModel, base } };
}

/**
 * Learned positions: a `[maxLength, dModel]` table drawn from N(0, std^2) (std 0.02 by
 * default, as GPT-2). Sequences longer than `maxLength` throw `SEQUENCE_TOO_LONG`.
 *
 * @example const pos = createLearnedPositions(new Random(0), 512, 64);
 */
export function createLearnedPositions(rng: Random, maxLength: number, dModel: number, options: { dtype?: DType; std?: number } = {}): LearnedPositions {
  checkPositiveInt('createLearnedPositions', 'maxLength', maxLength);
  checkPositiveInt('createLearnedPositions', 'dModel', dModel);
  const weight = normal(rng, [maxLength, dModel], 0, options.std ?? 0.02, { dtype: options.dtype ?? 'float32' });
  return {
    kind: 'learnedPositions',
    config: { dModel, maxLength },
    embedding: { kind: 'embedding', config: { numEmbeddings: maxLength, embeddingDim: dModel }, weight },
  };
}

const tableCache = new Map<string, Tensor>();
const CACHE_LIMIT = 16;

/** A cached sinusoidal table (shared, never written to). */
function cachedSinusoidal(length: number, dModel: number, base: number, dtype: DType): Tensor {
  const key = `${length}|${dModel}|${base}|${dtype}`;
  let table = tableCache.get(key);
  if (!table) {
    table = sinusoidalEncoding(length, dModel, { dtype, base });
    if (tableCache.size >= CACHE_LIMIT) tableCache.delete(tableCache.keys().next().value as string);
    tableCache.set(key, table);
  }
  return table;
}

/**
 * The positional vectors of positions `0 .. length-1`: `[length, dModel]` in `dtype`
 * (learned tables keep their own dtype and carry gradients).
 *
 * @example positionTable(pos, 16, 'float32') // [16, dModel]
 */
export function positionTable(p: PositionalEncoding, length: number, dtype: DType = 'float32'): Tensor {
  checkPositiveInt('positionTable', 'length', length);
  if (p.kind === 'sinusoidalPositions') return cachedSinusoidal(length, p.config.dModel, p.config.base, dtype);
  if (length > p.config.maxLength) {
    fail('SEQUENCE_TOO_LONG', `positionTable: a sequence of ${length} positions is longer than the learned table (maxLength ${p.config.maxLength}); create the model with a larger maxLength or use sinusoidal positions`);
  }
  return embedding(p.embedding, arange(0, length)); // [length, dModel]
}

/**
 * Adds positions to a batch of vectors: `x [B, T, dModel] + PE[0..T-1]` (broadcast over B).
 *
 * @example addPositions(pos, embedded) // [B, T, d] -> [B, T, d]
 */
export function addPositions(p: PositionalEncoding, x: Tensor): Tensor {
  const d = p.config.dModel;
  if (x.ndim !== 3 || x.shape[2] !== d) {
    throw new ShapeError(`addPositions: x has shape ${fmtShape(x.shape)}; expected [B, T, ${d}] (dModel ${d})`);
  }
  return add(x, positionTable(p, x.shape[1], x.dtype));
}
