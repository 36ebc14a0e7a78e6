/** End-to-end: the three real datasets through the operators, as a training run would use them. */
import { from, lastValueFrom, toArray } from 'rxjs';
import { gather, tensor } from '@loopflow/tensor';
import {
  batch, bucketByLength, buildVocabulary, charTokenizer, chronologicalSplit, difference, encode, fitScaler, groupedSplit,
  invertDifferences, nextTokenPairs, randomSplit, scale, Scaler, sequenceToLabel, seriesWindows, shuffle, tokenize,
  tokenizerFromJSON, Vocabulary, wordTokenizer,
} from '@loopflow/data';
import { loadFirstNames } from './first-names';
import { loadCo2Concentration } from './co2-concentration';
import { bodyKey, loadSpamAssassin } from './spam-assassin';

describe('pipelines on the real datasets', () => {
  it('names: character language model batches, vocabulary saved and restored', async () => {
    const { names } = loadFirstNames();
    const split = randomSplit(names, { seed: 1, validation: 0.1, test: 0.1 });
    const tokenizer = charTokenizer();
    const vocab = await lastValueFrom(from(split.train).pipe(tokenize(tokenizer), buildVocabulary({ tokenizer: tokenizer.config })));
    // 26 letters + '-' (from the hyphenated names, if any fell in train) + 4 specials
    expect(vocab.size).toBeGreaterThanOrEqual(30);
    expect(vocab.size).toBeLessThanOrEqual(31);
    const restored = Vocabulary.fromJSON(JSON.parse(JSON.stringify(vocab)));
    const retok = tokenizerFromJSON(restored.tokenizer!);
    const batches = await lastValueFrom(
      from(split.train).pipe(shuffle({ seed: 1, epoch: 0 }), tokenize(retok), encode(restored, { bos: true, eos: true }), nextTokenPairs(), bucketByLength({ batchSize: 32, boundaries: [5, 7, 9] }), toArray()),
    );
    expect(batches.reduce((n, b) => n + b.size, 0)).toBe(split.train.length);
    const b = batches[0];
    const [T, B] = b.inputs.shape;
    expect(b.mask.shape).toEqual([T, B]);
    // a column of inputs decodes to '<bos>' + the name, targets to the name + '<eos>'
    const col = Array.from({ length: b.lengths[0] }, (_, t) => b.inputs.data[t * B]);
    const tgt = Array.from({ length: b.lengths[0] }, (_, t) => b.targets.data[t * B]);
    expect(restored.decode(col)[0]).toBe('<bos>');
    expect(restored.decode(tgt).slice(-1)[0]).toBe('<eos>');
    expect(restored.decode(col, { skipSpecials: true })).toEqual(restored.decode(tgt, { skipSpecials: true }));
    // inputs feed an embedding lookup directly: [T, B] ids -> [T, B, D]
    const table = tensor(Array.from({ length: vocab.size * 3 }, (_, i) => i), [vocab.size, 3]);
    expect(gather(table, b.inputs).shape).toEqual([T, B, 3]);
  });

  it('co2: chronological split, scaler fitted on train only, differenced windows, inverted back to ppm', async () => {
    const { months } = loadCo2Concentration();
    const rows = months.map((m) => [m.co2, m.adjustedCo2]);
    const lookBack = 24;
    const split = chronologicalSplit(rows, { validation: 0.15, test: 0.15, context: lookBack });
    const scaler = await lastValueFrom(from(split.train).pipe(fitScaler('standard')));
    expect(scaler.count).toBe(split.ranges.train[1]);
    const trainBatches = await lastValueFrom(from(split.train).pipe(scale(scaler), seriesWindows({ lookBack, horizon: 6, stride: 3, targetColumns: [0] }), batch({ batchSize: 16 }), toArray()));
    expect(trainBatches[0].inputs.shape).toEqual([24, 16, 2]);
    expect(trainBatches[0].targets.shape).toEqual([6, 16, 1]);
    // targets reported in ppm through the target column's scaler
    const ppm = scaler.select([0]).inverseTensor(trainBatches[0].targets);
    expect(ppm.data[0]).toBeCloseTo(rows[lookBack][0], 3);
    // differencing removes the trend; a forecast of differences inverts to levels
    const diffs = await lastValueFrom(from(split.test).pipe(difference({ lag: 12 }), toArray()));
    const back = invertDifferences(diffs, split.test.slice(0, 12), 12);
    back.forEach((r, i) => expect(r[0]).toBeCloseTo(split.test[i + 12][0], 9));
    // fitted on train only: the test period lies above the training mean by many standard deviations
    expect(Scaler.fromJSON(scaler.toJSON()).transform(split.test[split.test.length - 1])[0]).toBeGreaterThan(2);
  });

  it('spam: bodies to word ids, grouped split without duplicate leakage, labelled batches', async () => {
    const messages = loadSpamAssassin();
    const split = groupedSplit(messages, { seed: 3, validation: 0.1, test: 0.1, groupOf: (m) => bodyKey(m.body) });
    const tokenizer = wordTokenizer();
    const trainSample = split.train.slice(0, 600);
    const vocab = await lastValueFrom(from(trainSample.map((m) => m.body)).pipe(tokenize(tokenizer), buildVocabulary({ minFrequency: 3, tokenizer: tokenizer.config })));
    const batches = await lastValueFrom(
      from(split.validation.slice(0, 64)).pipe(
        sequenceToLabel({ sequence: (m) => vocab.encode(tokenizer.tokenize(m.body)), label: (m) => (m.spam ? 1 : 0), maxLength: 200 }),
        batch({ batchSize: 32 }),
        toArray(),
      ),
    );
    expect(batches.length).toBe(2);
    expect(batches[0].targets.shape).toEqual([32]);
    expect(batches[0].inputs.shape[0]).toBeLessThanOrEqual(200);
    expect(Array.from(batches[0].targets.data)).toEqual(split.validation.slice(0, 32).map((m) => (m.spam ? 1 : 0)));
  });
});
