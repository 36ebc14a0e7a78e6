import { closest, editDistance, listChoices, suggestion } from './suggest';

describe('suggestions', () => {
  it('counts edits, an adjacent swap as one', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('hiddenSize', 'hidenSize')).toBe(1);
    expect(editDistance('lstm', 'ltsm')).toBe(1);
  });
  it('proposes the closest candidate only when it is a likely typo', () => {
    expect(closest('hidenSize', ['hiddenSize', 'numLayers'])).toBe('hiddenSize');
    expect(closest('HIDDENSIZE', ['hiddenSize'])).toBe('hiddenSize');
    expect(closest('banana', ['hiddenSize', 'numLayers'])).toBeUndefined();
    expect(suggestion('trian', ['train', 'evaluate'])).toBe("did you mean 'train'?");
    expect(suggestion('zzz', ['a', 'b'])).toBe("use one of 'a' or 'b'");
    expect(listChoices(['a', 'b', 'c'])).toBe("'a', 'b' or 'c'");
  });
});
