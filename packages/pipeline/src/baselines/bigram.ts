import { LoopflowError } from '@loopflow/tensor';
import type { TokenSample } from '@loopflow/data';

/** A bigram language model over token ids: `P(next | previous)` with add-k smoothing. */
export interface BigramModel {
  /** Vocabulary size: ids are `0 .. vocabSize - 1`. */
  vocabSize: number;
  /** The add-k constant. */
  k: number;
  /** The ids a next token may be (every id but the excluded ones, e.g. <pad> and <bos>). */
  outcomes: number[];
  /** `counts[previous * vocabSize + next]`: how often `next` followed `previous` in training. */
  counts: Float64Array;
  /** `totals[previous]`: how often `previous` was followed by an outcome. */
  totals: Float64Array;
}

/**
 * Fits a bigram model on language-model samples (input `[<bos>, a, b]`, target `[a, b, <eos>]`:
 * each `target[t]` follows `input[t]`), with add-k smoothing:
 * `P(b | a) = (count(a, b) + k) / (count(a) + k * |outcomes|)`. `excluded` ids are never a
 * next token (the vocabulary's <pad> and <bos>), so the probabilities over the outcomes sum
 * to 1 after every previous token, seen in training or not.
 *
 * @example
 * const bigram = fitBigram(trainSamples, vocab.size, { k: 1, excluded: [vocab.padId, vocab.bosId] });
 * bigramNll(bigram, testSamples) // { nll, tokens }: mean nll / tokens = nats per character
 */
export function fitBigram(samples: readonly TokenSample[], vocabSize: number, options: { k?: number; excluded?: readonly number[] } = {}): BigramModel {
  const k = options.k ?? 1;
  if (!(k > 0)) throw new LoopflowError('INVALID_ARGUMENT', `fitBigram: k is ${k}; expected a number > 0 (add-k smoothing gives unseen pairs probability > 0)`);
  const excluded = new Set(options.excluded ?? []);
  const outcomes = Array.from({ length: vocabSize }, (_, i) => i).filter((i) => !excluded.has(i));
  const counts = new Float64Array(vocabSize * vocabSize);
  const totals = new Float64Array(vocabSize);
  for (const sample of samples) {
    for (let t = 0; t < sample.target.length; t++) {
      const previous = sample.input[t];
      const next = sample.target[t];
      if (excluded.has(next)) continue;
      counts[previous * vocabSize + next] += 1;
      totals[previous] += 1;
    }
  }
  return { vocabSize, k, outcomes, counts, totals };
}

/** `-ln P(next | previous)` under a bigram model. */
export function bigramLogLoss(model: BigramModel, previous: number, next: number): number {
  const V = model.vocabSize;
  return -Math.log((model.counts[previous * V + next] + model.k) / (model.totals[previous] + model.k * model.outcomes.length));
}

/**
 * The summed negative log-likelihood (nats) of every target token of `samples` under the
 * bigram model, and how many tokens that is: each `target[t]` given `input[t]`, the
 * end-of-sequence token included — the tokens a language model's loss is averaged over.
 */
export function bigramNll(model: BigramModel, samples: readonly TokenSample[]): { nll: number; tokens: number } {
  let nll = 0;
  let tokens = 0;
  for (const sample of samples) {
    for (let t = 0; t < sample.target.length; t++) {
      nll += bigramLogLoss(model, sample.input[t], sample.target[t]);
      tokens += 1;
    }
  }
  return { nll, tokens };
}
