import { Random } from '@loopflow/tensor';
import { Split, SplitFractions, splitSizes } from './split';

/**
 * A seeded random split of independent samples. Each part keeps the original order of its
 * items. The same seed gives the same split on every machine.
 *
 * @example
 * const { train, validation, test } = randomSplit(names, { seed: 42, validation: 0.1, test: 0.1 });
 */
export function randomSplit<T>(items: readonly T[], options: SplitFractions & { seed: number | string }): Split<T> {
  const sizes = splitSizes('randomSplit', items.length, options);
  const order = new Random(options.seed).shuffle(Array.from({ length: items.length }, (_, i) => i));
  const part = (from: number, to: number): T[] => order.slice(from, to).sort((a, b) => a - b).map((i) => items[i]);
  return {
    train: part(0, sizes.train),
    validation: part(sizes.train, sizes.train + sizes.validation),
    test: part(sizes.train + sizes.validation, items.length),
  };
}
