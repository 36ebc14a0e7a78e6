import { DType, Indices, Random, ShapeError, Tensor, fmtShape, gather, normal } from '@loopflow/tensor';
import { checkSize } from './errors';

/** A lookup table of `numEmbeddings` vectors of size `embeddingDim`, as `torch.nn.Embedding`. */
export interface EmbeddingModule {
  kind: 'embedding';
  config: {
    /** Number of rows (the vocabulary size). */
    numEmbeddings: number;
    /** Size of each vector. */
    embeddingDim: number;
  };
  /** `[numEmbeddings, embeddingDim]`. */
  weight: Tensor;
}

/**
 * An Embedding initialised N(0, 1), as PyTorch.
 *
 * @example
 * const emb = createEmbedding(new Random(0), vocabSize, 32); // weight [vocabSize, 32]
 */
export function createEmbedding(rng: Random, numEmbeddings: number, embeddingDim: number, options: { dtype?: DType } = {}): EmbeddingModule {
  checkSize('createEmbedding', 'numEmbeddings', numEmbeddings);
  checkSize('createEmbedding', 'embeddingDim', embeddingDim, true);
  const weight = normal(rng, [numEmbeddings, embeddingDim], 0, 1, { dtype: options.dtype ?? 'float32' });
  return { kind: 'embedding', config: { numEmbeddings, embeddingDim }, weight };
}

/**
 * Looks up rows: integer indices of shape `[...S]` give `[...S, embeddingDim]`. The gradient
 * adds into the rows used (a repeated index receives the sum). Indices out of
 * `[0, numEmbeddings)` throw `INDEX_OUT_OF_RANGE`.
 *
 * @example embedding(emb, tokenIds) // [B, T] -> [B, T, D]
 */
export function embedding(m: EmbeddingModule, indices: Indices): Tensor {
  const { numEmbeddings, embeddingDim } = m.config;
  const w = m.weight;
  if (w.ndim !== 2 || w.shape[0] !== numEmbeddings || w.shape[1] !== embeddingDim) {
    throw new ShapeError(`embedding: weight has shape ${fmtShape(w.shape)}; expected [${numEmbeddings}, ${embeddingDim}] ([numEmbeddings, embeddingDim])`);
  }
  return gather(w, indices);
}
