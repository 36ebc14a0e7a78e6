import { Vocabulary, VocabularyJSON } from './vocabulary';
import { DataError } from '../errors';

describe('Vocabulary', () => {
  const corpus = [['b', 'a', 'c'], ['a', 'b', 'a'], ['d']];

  it('puts specials first, then tokens by frequency, ties alphabetically', () => {
    const v = Vocabulary.build(corpus);
    // counts: a 3, b 2, c 1, d 1
    expect(v.list()).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b', 'c', 'd']);
    expect([v.padId, v.unkId, v.bosId, v.eosId]).toEqual([0, 1, 2, 3]);
  });

  it('drops tokens below minFrequency and caps maxSize', () => {
    expect(Vocabulary.build(corpus, { minFrequency: 2 }).list().slice(4)).toEqual(['a', 'b']);
    expect(Vocabulary.build(corpus, { maxSize: 5 }).list().slice(4)).toEqual(['a']);
  });

  it('encodes with unknown, begin and end ids, and decodes back', () => {
    const v = Vocabulary.build(corpus, { minFrequency: 2 });
    const ids = v.encode(['a', 'z', 'b'], { bos: true, eos: true });
    expect(ids).toEqual([2, 4, 1, 5, 3]);
    expect(v.decode(ids)).toEqual(['<bos>', 'a', '<unk>', 'b', '<eos>']);
    expect(v.decode([0, ...ids, 0], { skipSpecials: true })).toEqual(['a', '<unk>', 'b']);
    expect(() => v.token(6)).toThrow(DataError);
  });

  it('round-trips through JSON with custom specials and the tokenizer config', () => {
    const v = Vocabulary.build(corpus, { specials: { pad: '_' }, tokenizer: { kind: 'char', lowerCase: true } });
    const restored = Vocabulary.fromJSON(JSON.parse(JSON.stringify(v)));
    expect(restored.list()).toEqual(v.list());
    expect(restored.specials.pad).toBe('_');
    expect(restored.tokenizer).toEqual({ kind: 'char', lowerCase: true });
    expect(restored.encode(['d', 'a'])).toEqual(v.encode(['d', 'a']));
  });

  it('rejects a damaged saved vocabulary with DATA_INVALID_STATE, naming the entry', () => {
    const good = Vocabulary.build(corpus).toJSON();
    const bad = (patch: Partial<VocabularyJSON>): (() => Vocabulary) => () => Vocabulary.fromJSON({ ...good, ...patch } as VocabularyJSON);
    expect(bad({ tokens: [...good.tokens, 'a'] })).toThrow(/tokens\[8\] "a" repeats tokens\[4\]/);
    expect(bad({ format: 'other' as never })).toThrow(expect.objectContaining({ code: 'DATA_INVALID_STATE' }));
    expect(bad({ tokens: ['<unk>', '<pad>', ...good.tokens.slice(2)] })).toThrow(/specials\.pad/);
  });

  it('rejects repeated special tokens and a bad minFrequency', () => {
    expect(() => Vocabulary.build(corpus, { specials: { pad: '<unk>' } })).toThrow(expect.objectContaining({ code: 'DATA_INVALID_ARGUMENT' }));
    expect(() => Vocabulary.build(corpus, { minFrequency: 0 })).toThrow(expect.objectContaining({ code: 'DATA_INVALID_ARGUMENT' }));
  });
});
