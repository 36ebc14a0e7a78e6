import { spawnSync } from 'child_process';
import * as path from 'path';
import { main, parseArgs } from './cli';
import { layerNormGolden, removeFolder, tempFolder } from './test-helpers';

const ROOT = path.join(__dirname, '../..');
const folders: string[] = [];
function folder(files: Record<string, unknown>): string {
  const dir = tempFolder(files);
  folders.push(dir);
  return dir;
}
afterAll(() => folders.forEach(removeFolder));

/** Runs main() with captured output. */
async function cli(argv: string[], casesDir?: string) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(argv, { stdout: (l) => stdout.push(...l.split('\n')), stderr: (l) => stderr.push(...l.split('\n')), casesDir });
  return { code, stdout, stderr };
}

const unknownCase = { case: 'not_a_case', config: {}, tensors: { a: { shape: [1], data: [0] } } };
const wrongHandler = `exports.handlers = [{ description: 'always 1', matches: (n) => n === 'ones',
  run: (g) => ({ status: 'ran', comparisons: [{ name: 'v', actual: g.tensors.v.data.map(() => 1), expected: g.tensors.v.data }] }) }];`;

describe('conformance CLI main()', () => {
  it('prints one line per case and the summary line last; exit 0 when nothing failed', async () => {
    const dir = folder({ 'ln.json': layerNormGolden([5], 7), 'u.json': unknownCase });
    const { code, stdout, stderr } = await cli([dir]);
    expect(code).toBe(0);
    expect(stderr).toEqual([]);
    expect(stdout).toHaveLength(4); // header, 2 cases, summary
    expect(stdout[1]).toMatch(/^layernorm\s+max abs \S+\s+max rel \S+\s+PASS$/);
    expect(stdout[2]).toMatch(/^not_a_case\s+max abs -\s+max rel -\s+SKIP  no handler for case 'not_a_case' \(not implemented yet\)$/);
    expect(stdout[3]).toBe('1 passed, 0 failed, 1 skipped');
  });

  it('exits 1 when a handler returns a wrong value', async () => {
    const cases = folder({ 'ones.js': wrongHandler });
    const dir = folder({ 'o.json': { case: 'ones', config: {}, tensors: { v: { shape: [3], data: [1, 1, 2] } } } });
    const { code, stdout } = await cli([dir], cases);
    expect(code).toBe(1);
    expect(stdout[1]).toMatch(/^ones\s+max abs 1\s+max rel 0.5\s+FAIL  v: 1 of 3 elements off \(worst \[2\]: got 1, expected 2/);
    expect(stdout.at(-1)).toBe('0 passed, 1 failed, 0 skipped');
  });

  it('exits 1 for an invalid golden file, printing the reason and no stack trace', async () => {
    const dir = folder({ 'bad.json': '{ nope', 'ln.json': layerNormGolden([2], 3) });
    const { code, stdout } = await cli([dir]);
    expect(code).toBe(1);
    expect(stdout.join('\n')).toMatch(/bad\.json\s+max abs -\s+max rel -\s+FAIL  bad\.json: not valid JSON/);
    expect(stdout.join('\n')).not.toMatch(/\bat .*\.ts:\d+/);
    expect(stdout.at(-1)).toBe('1 passed, 1 failed, 0 skipped');
  });

  it.each([
    [[], /no folder given/],
    [['/no/such/folder'], /folder '\/no\/such\/folder' does not exist/],
    [['a', 'b'], /one folder expected, got 2/],
    [['x', '--bogus'], /unknown option '--bogus'\n {2}hint: options: --filter, --dtype, --json, --verbose, --help\nusage: npm run conformance -- <folder> \[options\]/],
    [['x', '--dtype', 'float16'], /option '--dtype' "float16": expected one of float32, float64; unknown: float16/],
    [['x', '--filter'], /option '--filter' needs a value\n {2}hint: e\.g\. --filter <pattern>/],
  ])('exits 2 for the usage error %j', async (argv, message) => {
    const { code, stdout, stderr } = await cli(argv as string[]);
    expect(code).toBe(2);
    expect(stdout).toEqual([]);
    expect(stderr.join('\n')).toMatch(message);
  });

  it('exits 2 for an empty folder and for a filter that matches nothing', async () => {
    const empty = await cli([folder({})]);
    expect(empty.code).toBe(2);
    expect(empty.stderr.join('\n')).toMatch(/no golden files \(\*\.json\) in/);
    const none = await cli([folder({ 'u.json': unknownCase }), '--filter', 'lstm*']);
    expect(none.code).toBe(2);
    expect(none.stderr.join('\n')).toMatch(/no case matches --filter 'lstm\*' among 1 golden files/);
  });

  it('--json prints one JSON object per case and a JSON summary', async () => {
    const dir = folder({ 'ln.json': layerNormGolden([5], 7), 'u.json': unknownCase });
    const { code, stdout } = await cli([dir, '--json', '--dtype=float64']);
    expect(code).toBe(0);
    const lines = stdout.map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ name: 'layernorm', status: 'PASS', dtype: 'float64', handler: 'layernorm.ts' });
    expect(lines[0].tensors.map((t: { name: string }) => t.name)).toEqual(['y', 'grad_x', 'grad_weight', 'grad_bias']);
    expect(lines[0].maxAbs).toBeLessThan(1e-12);
    expect(lines[1]).toMatchObject({ name: 'not_a_case', status: 'SKIP' });
    expect(lines[2]).toEqual({ summary: '1 passed, 0 failed, 1 skipped', passed: 1, failed: 0, skipped: 1 });
  });

  it('--verbose prints the errors of every tensor; --filter selects cases', async () => {
    const dir = folder({ 'ln.json': layerNormGolden([5], 7), 'u.json': unknownCase });
    const { stdout } = await cli([dir, '--verbose', '--filter', 'layer*']);
    expect(stdout.filter((l) => /^ {4}(y|grad_x|grad_weight|grad_bias) +max abs/.test(l))).toHaveLength(4);
    expect(stdout.at(-1)).toBe('1 passed, 0 failed, 0 skipped');
  });

  it('parses options in both --opt value and --opt=value forms', () => {
    expect(parseArgs(['dir', '--filter=a', '--filter', 'b*', '--dtype', 'float64', '--json', '-v'])).toEqual({
      folder: 'dir', filters: ['a', 'b*'], dtype: 'float64', json: true, verbose: true, help: false,
    });
    expect(parseArgs(['--help']).help).toBe(true);
  });
});

describe('conformance CLI as a process', () => {
  it('sets the exit code: 1 on a failure, with the summary as the last line', () => {
    const golden = layerNormGolden([5], 7);
    golden.tensors.grad_bias.data[0] += 0.1;
    const dir = folder({ 'ln.json': golden });
    const run = spawnSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'tools/conformance/cli.ts', dir],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json') } },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/^layernorm .* FAIL  grad_bias: 1 of 7 elements off \(worst \[0\]/);
    expect(lines.at(-1)).toBe('0 passed, 1 failed, 0 skipped');
  });
});
