import { Subject } from 'rxjs';
import { splitLines, TextLine } from './split-lines';
import { errorCode, marbles } from '../testing/marbles';

const at = (line: number, text: string, file = 'f.txt'): TextLine => ({ file, line, text });

describe('splitLines', () => {
  it('numbers lines, joins a line cut across chunks and a \\r\\n cut in two, emits the last line at completion', () => {
    marbles().run(({ cold, expectObservable }) => {
      const chunks = cold('a 9ms b 9ms c 9ms d 9ms |', { a: 'ab\ncd', b: 'e\r', c: '\nf\n\n', d: 'last' });
      expectObservable(chunks.pipe(splitLines({ file: 'f.txt' }))).toBe('a 19ms (bcd) 15ms (e|)', {
        a: at(1, 'ab'),
        b: at(2, 'cde'),
        c: at(3, 'f'),
        d: at(4, ''),
        e: at(5, 'last'),
      });
    });
  });

  it('emits nothing for a trailing newline and completes with the source', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: 'x\n' }).pipe(splitLines())).toBe('a|', { a: { file: undefined, line: 1, text: 'x' } });
    });
  });

  it('passes a source error through', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a#', { a: 'x\ny' }, new Error('disk')).pipe(splitLines())).toBe('a#', { a: { file: undefined, line: 1, text: 'x' } }, new Error('disk'));
    });
  });

  it('errors with DATA_BAD_ROW when a line grows past maxLineLength', () => {
    marbles().run(({ cold, expectObservable }) => {
      const out = cold('ab|', { a: '12345', b: '678' }).pipe(splitLines({ maxLineLength: 6 }), errorCode());
      expectObservable(out).toBe('-#', undefined, 'DATA_BAD_ROW');
    });
  });

  it('handles many chunks one character at a time', () => {
    const text = 'one\r\ntwo\n\nthree';
    const lines: TextLine[] = [];
    const input = new Subject<string>();
    input.pipe(splitLines()).subscribe((l) => lines.push(l));
    for (const ch of text) input.next(ch);
    input.complete();
    expect(lines.map((l) => l.text)).toEqual(['one', 'two', '', 'three']);
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 4]);
  });
});
