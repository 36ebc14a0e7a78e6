import { QuoteTracker } from './quote-tracker';

/** Feeds `text` in pieces of `size` characters. */
function track(text: string, size = text.length, comment?: string): QuoteTracker {
  const t = new QuoteTracker(',', '"', comment);
  for (let i = 0; i < text.length; i += size) t.push(text.slice(i, i + size));
  return t;
}

describe('QuoteTracker', () => {
  it.each([1, 2, 3, 1000])('finds the quote that opens and never closes (chunks of %i)', (size) => {
    const text = 'a,b\n1,"ok ""quoted"""\n\n3,"x\n5,6\n7,8\n';
    const t = track(text, size);
    expect(t.open).toEqual({ line: 4, column: 3 });
    expect(t.firstBadClose).toBeNull();
  });

  it.each([1, 4, 1000])('sees closed and escaped quotes across line ends as closed (chunks of %i)', (size) => {
    const t = track('\uFEFF"a",b\r\n"multi\nline","say ""hi"""\r\n1,2\n', size);
    expect(t.open).toBeNull();
    expect(t.firstBadClose).toBeNull();
  });

  it('a quote inside an unquoted field opens nothing; a quote at the start of line 1 after a BOM does', () => {
    expect(track('a,b\n1,x"y\n').open).toBeNull();
    expect(track('\uFEFF"a,b\n1,2\n').open).toEqual({ line: 1, column: 1 });
  });

  it('remembers the first field whose closing quote is followed by text', () => {
    const t = track('a,b\n1,2\n3,"x"y\n5,"6"z\n', 2);
    expect(t.firstBadClose).toEqual({ line: 3, column: 3 });
    expect(t.open).toBeNull();
  });

  it('skips quotes in comment lines', () => {
    expect(track('# say "hi\na,b\n1,2\n', 1000, '#').open).toBeNull();
  });
});
