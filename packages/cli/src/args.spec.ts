import { parseArgs, UsageError } from './args';

const specs = { out: { type: 'string' as const, description: '' }, parallel: { type: 'number' as const, description: '' }, quiet: { type: 'flag' as const, description: '' } };

describe('parseArgs', () => {
  it('reads positionals, --name value, --name=value and flags', () => {
    expect(parseArgs(['a.json', '--out', 'x', '--parallel=3', '--quiet', '--', '--b'], specs)).toEqual({ positionals: ['a.json', '--b'], options: { out: 'x', parallel: 3, quiet: true } });
  });
  it('refuses unknown options (with did-you-mean), missing values and non-numbers', () => {
    expect(() => parseArgs(['--paralel', '2'], specs)).toThrow(expect.objectContaining({ message: "unknown option '--paralel'", hint: "did you mean '--parallel'?" }));
    expect(() => parseArgs(['--out'], specs)).toThrow("option '--out' needs a value");
    expect(() => parseArgs(['--parallel', 'two'], specs)).toThrow("option '--parallel' needs a number, got 'two'");
    expect(() => parseArgs(['-q'], specs)).toThrow(UsageError);
    expect(() => parseArgs(['--quiet=yes'], specs)).toThrow('takes no value');
  });
});
