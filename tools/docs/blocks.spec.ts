/** The fence convention as blocks.ts reads it (the docs test itself: doc-blocks.spec.ts). */
import { extractBlocks, matchesOutput, withOutputs } from './blocks';

const md = [
  '# t',
  '```ts',
  'console.log(1);',
  '```',
  '',
  '```text output',
  '1',
  '```',
  '- a list item:',
  '',
  '  ```json runnable',
  '  { "name": "x" }',
  '  ```',
  '```ts fragment id=part',
  'x;',
  '```',
  '````md',
  '```ts',
  'inside a longer fence',
  '```',
  '````',
  '```sh',
  'npm test',
  '```',
].join('\n');

describe('extractBlocks', () => {
  const blocks = extractBlocks(md, 'doc.md');

  it('reads each fence: language, words, kind, id, the text without the indentation', () => {
    expect(blocks.map((b) => [b.line, b.lang, b.kind, b.id, b.fragment, b.text])).toEqual([
      [2, 'ts', 'ts', 'doc.md:ts1', false, 'console.log(1);'],
      [6, 'text', 'output', 'doc.md:output1', false, '1'],
      [11, 'json', 'json', 'doc.md:json1', false, '{ "name": "x" }'],
      [14, 'ts', 'ts', 'part', true, 'x;'],
      [17, 'md', 'other', 'doc.md:other1', false, '```ts\ninside a longer fence\n```'],
      [22, 'sh', 'other', 'doc.md:other2', false, 'npm test'],
    ]);
    expect(blocks[2].words).toEqual(['runnable']);
  });

  it('pairs a block with the output block right after it', () => {
    expect(withOutputs(blocks).map(({ block, output }) => [block.id, output?.id])).toEqual([
      ['doc.md:ts1', 'doc.md:output1'], ['doc.md:json1', undefined], ['part', undefined], ['doc.md:other1', undefined], ['doc.md:other2', undefined],
    ]);
  });

  it('refuses a block that is never closed, naming where it opens', () => {
    expect(() => extractBlocks('text\n```ts\nx', 'open.md')).toThrow('open.md:2: the code block opened here is never closed');
  });
});

describe('matchesOutput', () => {
  it('compares line by line, trailing spaces and surrounding blank lines aside', () => {
    expect(matchesOutput('a\nb', '\na  \nb\n\n')).toBe(true);
    expect(matchesOutput('a\nb', 'a\nc\n')).toBe(false);
    expect(matchesOutput('a\nb', 'a\nb\nc\n')).toBe(false);
  });

  it('lets a line `...` stand for any lines', () => {
    expect(matchesOutput('first\n...\nlast', 'first\nx\ny\nlast\n')).toBe(true);
    expect(matchesOutput('first\n...\nlast', 'first\nlast')).toBe(true);
    expect(matchesOutput('first\n...\nlast', 'first\nx\n')).toBe(false);
  });
});
