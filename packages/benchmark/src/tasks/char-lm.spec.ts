import { charLmTask, nameSample, nameVocabulary, ngramBaselines } from './char-lm';

describe('character LM on first names', () => {
  it('turns a name into boundary-delimited next-character pairs', () => {
    const vocab = nameVocabulary(['ab', 'ba']);
    expect(vocab.size).toBe(4); // pad, boundary, a, b
    expect(nameSample('ab', vocab)).toEqual({ kind: 'tokens', input: [1, 2, 3], target: [2, 3, 1] });
  });

  it('n-gram baselines match a hand-worked corpus', () => {
    const vocab = nameVocabulary(['ab']);
    const sample = nameSample('ab', vocab);
    // Unigram: each of the 3 targets seen once; add-one over 3 classes: (1+1)/(3+3) = 1/3 -> log2(3) bits.
    // Bigram: each previous symbol seen once, followed by the target: (1+1)/(1+3) = 1/2 -> 1 bit.
    const b = ngramBaselines([sample], [sample], vocab.size);
    expect(b.unigram).toBeCloseTo(Math.log2(3), 12);
    expect(b.bigram).toBeCloseTo(1, 12);
  });

  it('the task on the shipped names: the bigram beats the unigram, solved means beating the bigram', () => {
    const task = charLmTask({ validationSize: 50, testSize: 100 });
    const [uni, bi] = task.metric.baselines;
    expect(uni.name).toBe('unigram');
    expect(bi.value).toBeLessThan(uni.value);
    expect(bi.value).toBeGreaterThan(2);
    expect(task.metric.solvedAt).toBe(bi.value);
    const tokens = task.test.reduce((s, b) => s + Array.from(b.mask!.data).reduce((a, m) => a + m, 0), 0);
    expect(tokens).toBeGreaterThan(100 * 3);
    expect(task.test[0].inputs.shape[2]).toBe(task.inputSize);
  });
});
