import { main } from './index';

/** Runs the dispatcher with captured output. */
async function bench(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('npm run bench: the dispatcher (the shared parser, one usage-error style)', () => {
  it('--help prints the usage and the benches; <bench> --help prints the bench usage and runs nothing', async () => {
    const help = await bench(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^usage: npm run bench -- <name>.*\n\nbenches:\n {2}matmul .*\n {2}cells /);
    for (const name of ['cells', 'matmul', 'browser']) {
      for (const flag of ['--help', '-h']) {
        const one = await bench([name, flag]);
        expect({ name, flag, code: one.code, stderr: one.stderr }).toEqual({ name, flag, code: 0, stderr: '' });
        expect(one.stdout).toMatch(new RegExp(`^usage: npm run bench -- ${name} `));
      }
    }
  });

  it.each([
    [[], /^bench: no bench named\n {2}hint: choose one of matmul, cells, browser, memory\nusage: npm run bench -- <name>/],
    [['matmull'], /^bench: unknown bench 'matmull'\n {2}hint: did you mean 'matmul'\?/],
    [['--jsn', 'matmul'], /^bench: unknown option '--jsn'\n {2}hint: did you mean '--json'\?\nusage: npm run bench/],
    [['cells', '--cels', 'lstm'], /^bench cells: unknown option '--cels'; did you mean '--cells'\?\n {2}hint: npm run bench -- cells --help\nusage: npm run bench -- cells \[--json\]/],
    [['matmul', '--sizes', 'big'], /^bench matmul: option '--sizes': 'big' is not a whole number from 1 to 8192; e\.g\. --sizes 64,256\n {2}hint: .*\nusage: npm run bench -- matmul /],
    [['matmul', '--bogus'], /^bench matmul: unknown option '--bogus'.*\n {2}hint: npm run bench -- matmul --help\nusage: npm run bench -- matmul /],
    [['browser', '--bogus'], /^bench browser: unknown option '--bogus'.*\n {2}hint: npm run bench -- browser --help\nusage: npm run bench -- browser \[--json\]/],
    [['browser', '--cells', 'lstm,attention'], /^bench browser: option '--cells' "lstm,attention": expected a comma-separated list of lstm, gru, rnn; unknown: attention\n {2}hint: /],
    [['matmul', '--impls=fast'], /^bench matmul: option '--impls' "fast": expected a comma-separated list of reference, wasm-simd/],
  ])('a usage error %j: what is wrong, the hint, the usage line, exit 2', async (argv, message) => {
    const result = await bench(argv as string[]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
