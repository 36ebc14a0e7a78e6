/** Language-model metrics from the summed negative log-likelihood. */
export interface LanguageModelMetrics {
  /** Mean cross-entropy per token, in nats. */
  loss: number;
  /** exp(loss): the model is as unsure as a uniform choice among this many tokens. */
  perplexity: number;
  /** loss / ln 2: bits per token (per character for a character model). */
  bits: number;
  /** Tokens counted. */
  count: number;
}

/**
 * Loss, perplexity and bits per token from the total negative log-likelihood (natural log)
 * of `tokens` predicted tokens. With a character tokenizer, bits per token is bits per
 * character.
 *
 * @example languageModelMetrics(4 * Math.log(2), 4) // loss ln 2, perplexity 2, bits 1
 */
export function languageModelMetrics(totalNll: number, tokens: number): LanguageModelMetrics {
  const loss = totalNll / tokens;
  return { loss, perplexity: Math.exp(loss), bits: loss / Math.LN2, count: tokens };
}
