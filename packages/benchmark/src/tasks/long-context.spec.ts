import { Random } from '@loopflow/tensor';
import { LONG_CONTEXT_VOCABULARY, MIN_DISTANCE, SUBJECT_PLACES, longContextBatch, longContextSentence, longContextTask } from './long-context';

describe('long-range context ("the clouds ... are in the sky")', () => {
  it('the shortest sentence is the classic one', () => {
    const s = longContextSentence(new Random(0), 0, MIN_DISTANCE);
    expect(s.words.join(' ')).toBe('the clouds are in the');
    expect(s.answer).toBe('sky');
    expect(s.distance).toBe(4);
    expect(s.subjectIndex).toBe(1);
  });

  it('inserted clauses push the subject back by exactly the requested distance', () => {
    const rng = new Random(5);
    for (let d = MIN_DISTANCE; d <= 60; d++) {
      const pair = d % SUBJECT_PLACES.length;
      const s = longContextSentence(rng, pair, d);
      expect(s.distance).toBe(d);
      expect(s.words.length - s.subjectIndex).toBe(d); // the blank follows the last word
      expect(s.words[1]).toBe(SUBJECT_PLACES[pair][0]);
      expect(s.words.slice(-3)).toEqual(['are', 'in', 'the']);
      // Distractor subjects may appear in the clauses, never the true subject again.
      expect(s.words.slice(2).includes(SUBJECT_PLACES[pair][0])).toBe(false);
      for (const w of s.words) expect(LONG_CONTEXT_VOCABULARY).toContain(w);
    }
  });

  it('sometimes names another subject in a clause (so the last noun is not the answer)', () => {
    const rng = new Random(9);
    const subjects = SUBJECT_PLACES.map(([s]) => s);
    let withDistractor = 0;
    for (let i = 0; i < 50; i++) if (longContextSentence(rng, 0, 20).words.slice(2).some((w) => subjects.includes(w))) withDistractor++;
    expect(withDistractor).toBeGreaterThan(5);
  });

  it('refuses distances below 4', () => {
    expect(() => longContextSentence(new Random(0), 0, 3)).toThrow(/distance/);
  });

  it('a batch is one-hot words [d + 1, B, V]; the target is the pair of the subject read at step 1', () => {
    const d = 10;
    const B = 12;
    const V = LONG_CONTEXT_VOCABULARY.length;
    const batch = longContextBatch(new Random(1), d, B);
    expect(batch.inputs.shape).toEqual([d + 1, B, V]);
    expect(batch.group).toBe(d);
    for (let b = 0; b < B; b++) {
      const row = Array.from(batch.inputs.data.slice((1 * B + b) * V, (1 * B + b + 1) * V));
      const word = LONG_CONTEXT_VOCABULARY[row.indexOf(1)];
      expect(SUBJECT_PLACES[batch.targets.data[b]][0]).toBe(word);
    }
  });

  it('validation and test hold one batch per distance', () => {
    const task = longContextTask([16, 4, 8], { validationSize: 5, testSize: 7 });
    expect(task.test.map((b) => b.group)).toEqual([4, 8, 16]);
    expect(task.test.map((b) => b.targets.shape[0])).toEqual([7, 7, 7]);
    expect(task.maxLength).toBe(17);
    expect(task.metric.baselines[0].value).toBeCloseTo(1 / 8, 12);
  });
});
