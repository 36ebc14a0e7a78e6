import { formatUsageError, parseArgs, parseCompareArgs, resumeCommand, UsageError } from './args';
import type { OptionSpec } from './args';
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
    expect(parseCompareArgs(['--resume', '/tmp/run', '--parallel', '3', '--inline'])).toEqual({ help: false, options: { suite: 'quick', resume: '/tmp/run', parallel: 3, isolation: 'inline' } });
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
    expect(code(['--resume'])).toMatch(/option '--resume' needs a value/);
    expect(code(['--resume', '/tmp/run', '--full'])).toMatch(/option '--resume' takes no --full \(the run folder's run\.json holds/);
    expect(code(['--resume', '/tmp/run', '--models', 'rnn'])).toMatch(/option '--resume' takes no --models/);
    expect(code(['--resume', '/tmp/run', '--out', '/tmp/x'])).toMatch(/option '--resume' takes no --out/);
    expect(code(['--seeds', 'two'])).toMatch(/^INVALID_ARGUMENT: option '--seeds' needs a number, got 'two'/);
    expect(code(['--quik'])).toMatch(/unknown option '--quik'; did you mean '--quick'\?/);
    expect(code(['extra'])).toMatch(/unexpected argument 'extra'/);
    expect(code(['--fast'])).toMatch(/unknown option '--fast'; options: --quick/);
  });
});

describe('parseArgs: the one command-line parser (loopflow, compare, bench, conformance)', () => {
  const specs: Record<string, OptionSpec> = {
    out: { type: 'string', value: '<folder>', description: '' },
    seeds: { type: 'number', description: '' },
    cells: { type: 'list', choices: ['lstm', 'gru', 'rnn'], description: '' },
    filter: { type: 'string', multiple: true, description: '' },
    verbose: { type: 'flag', short: 'v', description: '' },
  };
  it('reads --name value, --name=value, lists, repeated options, aliases, and -- as the end of the options', () => {
    expect(parseArgs(['a', '--out', 'x', '--seeds=3', '--cells', 'lstm, gru', '--filter', 'p', '--filter=q*', '-v', '--', '--out'], specs)).toEqual({
      positionals: ['a', '--out'],
      options: { out: 'x', seeds: 3, cells: ['lstm', 'gru'], filter: ['p', 'q*'], verbose: true },
    });
    expect(parseArgs(['--out', 'a', '--out', 'b'], specs).options.out).toBe('b'); // the last one wins
  });
  it.each([
    [['--ot', 'x'], "unknown option '--ot'", "did you mean '--out'?", '--ot'],
    [['-q'], "unknown option '-q'", 'options are written --name (see --help)', '-q'],
    [['--out'], "option '--out' needs a value", 'e.g. --out <folder>', '--out'],
    [['--out', '--verbose'], "option '--out' needs a value", 'e.g. --out <folder>', '--out'],
    [['--seeds', '2x'], "option '--seeds' needs a number, got '2x'", 'e.g. --seeds 2', '--seeds'],
    [['--verbose=yes'], "option '--verbose' takes no value", 'write --verbose alone', '--verbose'],
    [['--cells', 'lstm,grux'], 'option \'--cells\' "lstm,grux": expected a comma-separated list of lstm, gru, rnn; unknown: grux', "did you mean 'gru'?", '--cells'],
    [['--cells='], "option '--cells' needs a comma-separated list, got ''", 'choose from lstm, gru, rnn', '--cells'],
  ])('%j is a UsageError naming the flag and what was expected', (argv, message, hint, option) => {
    let error: unknown;
    try {
      parseArgs(argv as string[], specs);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ code: 'USAGE', message, hint, option });
  });
  it('prints a usage error in one style: tool, what, hint, usage line', () => {
    expect(formatUsageError('loopflow run', new UsageError("option '--out' needs a value", 'e.g. --out <folder>'), 'usage: loopflow run <file> [--out <folder>]\nmore text')).toBe(
      "loopflow run: option '--out' needs a value\n  hint: e.g. --out <folder>\nusage: loopflow run <file> [--out <folder>]\n",
    );
  });
});

describe('resumeCommand', () => {
  it('gives the command that resumes a run, with its --parallel / --inline, the folder quoted when it must be', () => {
    expect(resumeCommand('loopflow compare', '/tmp/run', {})).toBe('loopflow compare --resume /tmp/run');
    expect(resumeCommand('loopflow compare', "/tmp/my run's", { parallel: 4, isolation: 'inline' })).toBe("loopflow compare --resume '/tmp/my run'\\''s' --parallel 4 --inline");
  });
});
