import { Random } from '@loopflow/tensor';
import { Split, SplitFractions, splitSizes } from './split';

/**
 * A seeded random split that keeps every group whole: all items with the same
 * `groupOf(item)` land in the same part (e.g. SpamAssassin messages with identical bodies,
 * so a duplicate cannot be trained on and then tested on). Groups are shuffled, then
 * validation and test are filled with whole groups until they reach their sizes; train gets
 * the rest. Each part keeps the original order of its items.
 *
 * @example
 * groupedSplit(messages, { seed: 1, validation: 0.1, test: 0.1, groupOf: (m) => bodyKey(m.body) }) // bodyKey: @loopflow/datasets
 */
export function groupedSplit<T>(items: readonly T[], options: SplitFractions & { seed: number | string; groupOf: (item: T) => string }): Split<T> {
  const sizes = splitSizes('groupedSplit', items.length, options);
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => {
    const key = options.groupOf(item);
    const members = groups.get(key);
    if (members) members.push(i);
    else groups.set(key, [i]);
  });
  const order = new Random(options.seed).shuffle([...groups.values()]);
  const validation: number[] = [];
  const test: number[] = [];
  const train: number[] = [];
  for (const members of order) {
    // a loop, not push(...members): a spread overflows the stack beyond ~120k members
    const part = validation.length < sizes.validation ? validation : test.length < sizes.test ? test : train;
    for (const member of members) part.push(member);
  }
  const pick = (indices: number[]): T[] => indices.sort((x, y) => x - y).map((i) => items[i]);
  return { train: pick(train), validation: pick(validation), test: pick(test) };
}
