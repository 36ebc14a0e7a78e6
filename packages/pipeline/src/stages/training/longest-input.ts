/**
 * The number of steps of the longest sample's input (0 for none), by a loop: `Math.max(...lengths)`
 * overflows the stack beyond ~120k samples.
 *
 * @example longestInput([{ input: [1, 2] }, { input: [3] }]) // 2
 */
export function longestInput(samples: readonly { input: { length: number } }[]): number {
  let longest = 0;
  for (const sample of samples) if (sample.input.length > longest) longest = sample.input.length;
  return longest;
}
