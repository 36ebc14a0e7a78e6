import { longestInput } from './longest-input';

describe('longestInput', () => {
  it('gives the longest input of 300,000 samples without overflowing the stack (a spread into Math.max did)', () => {
    const samples = Array.from({ length: 300_000 }, (_, i) => ({ input: { length: 1 + (i % 97) } }));
    samples[123_456] = { input: { length: 500 } };
    expect(longestInput(samples)).toBe(500);
  });

  it('gives 0 for no samples', () => {
    expect(longestInput([])).toBe(0);
  });
});
