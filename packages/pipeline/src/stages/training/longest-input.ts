import { inputLengthAt, SampleList } from '../../vocabulary/sample-list';

/**
 * The number of steps of the longest sample's input (0 for none), by a loop: `Math.max(...lengths)`
 * overflows the stack beyond ~120k samples. A compact list gives its lengths without making
 * the samples.
 *
 * @example longestInput([{ input: [1, 2] }, { input: [3] }]) // 2
 */
export function longestInput(samples: readonly { input: { length: number } }[] | SampleList): number {
  let longest = 0;
  if (!Array.isArray(samples)) {
    const list = samples as SampleList;
    for (let i = 0; i < list.length; i++) longest = Math.max(longest, inputLengthAt(list, i));
    return longest;
  }
  for (const sample of samples as readonly { input: { length: number } }[]) if (sample.input.length > longest) longest = sample.input.length;
  return longest;
}
