import { parseCompareArgs } from './args';
import { BenchmarkError } from './errors';

describe('parseCompareArgs', () => {
  it('reads the suite, folder, seeds, tasks and models', () => {
    expect(parseCompareArgs([])).toEqual({ help: false, options: { suite: 'quick' } });
    expect(parseCompareArgs(['--full', '--out', '/tmp/x', '--seeds', '4', '--tasks', 'adding,copy', '--models', 'rnn,lstm'])).toEqual({
      help: false,
      options: { suite: 'full', out: '/tmp/x', seeds: 4, tasks: ['adding', 'copy'], models: ['rnn', 'lstm'] },
    });
    expect(parseCompareArgs(['--quick', '--tiny', '--inline', '--parallel', '1'])).toEqual({ help: false, options: { suite: 'tiny', isolation: 'inline', parallel: 1 } });
    expect(parseCompareArgs(['--help'])).toEqual({ help: true });
    expect(parseCompareArgs(['--rerender', '/tmp/run'])).toEqual({ help: false, options: { suite: 'quick', rerender: '/tmp/run' } });
  });

  it('names the flag that is wrong', () => {
    const code = (argv: string[]): string => {
      try {
        parseCompareArgs(argv);
      } catch (e) {
        expect(e).toBeInstanceOf(BenchmarkError);
        return `${(e as BenchmarkError).code}: ${(e as Error).message}`;
      }
      return 'no error';
    };
    expect(code(['--seeds', '0'])).toMatch(/^INVALID_ARGUMENT: option '--seeds' needs a whole number >= 1, got 0/);
    expect(code(['--models', 'rnn,lstn'])).toMatch(/^UNKNOWN_MODEL: .*'lstn'/);
    expect(code(['--tasks', 'add'])).toMatch(/^UNKNOWN_TASK: .*'add'/);
    expect(code(['--out'])).toMatch(/option '--out' needs a value; e\.g\. --out <folder>/);
    expect(code(['--full', '--quick'])).toMatch(/cannot be combined/);
    expect(code(['--rerender'])).toMatch(/option '--rerender' needs a value/);
    expect(code(['--rerender', '/tmp/run', '--seeds', '2'])).toMatch(/option '--rerender' takes no other flag/);
    expect(code(['--seeds', 'two'])).toMatch(/^INVALID_ARGUMENT: option '--seeds' needs a number, got 'two'/);
    expect(code(['--quik'])).toMatch(/unknown option '--quik'; did you mean '--quick'\?/);
    expect(code(['extra'])).toMatch(/unexpected argument 'extra'/);
    expect(code(['--fast'])).toMatch(/unknown option '--fast'; options: --quick/);
  });
});
