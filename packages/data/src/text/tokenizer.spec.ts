import { charTokenizer, tokenizerFromJSON, wordTokenizer } from './tokenizer';

describe('tokenizers', () => {
  it('splits characters by code point, optionally lower-cased', () => {
    expect(charTokenizer().tokenize('Zoë😀')).toEqual(['Z', 'o', 'ë', '😀']);
    expect(charTokenizer({ lowerCase: true }).tokenize('AbC')).toEqual(['a', 'b', 'c']);
    expect(charTokenizer().detokenize(['a', 'b'])).toBe('ab');
  });

  it('splits words and punctuation, lower-casing by default', () => {
    expect(wordTokenizer().tokenize("Don't panic, Bob!  It's 42.")).toEqual(["don't", 'panic', ',', 'bob', '!', "it's", '42', '.']);
    expect(wordTokenizer({ lowerCase: false }).tokenize('Élan Vital')).toEqual(['Élan', 'Vital']);
    expect(wordTokenizer().tokenize('   ')).toEqual([]);
  });

  it('restores from its JSON config', () => {
    const t = tokenizerFromJSON(JSON.parse(JSON.stringify(wordTokenizer({ lowerCase: false }).config)));
    expect(t.config).toEqual({ kind: 'word', lowerCase: false });
    expect(t.tokenize('A b')).toEqual(['A', 'b']);
    expect(() => tokenizerFromJSON({ kind: 'bpe' } as never)).toThrow(expect.objectContaining({ code: 'DATA_INVALID_STATE' }));
  });
});
