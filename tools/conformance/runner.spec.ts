import * as fs from 'fs';
import * as path from 'path';
import { LoadedHandler } from './discover';
import { ConformanceUsageError } from './errors';
import { CaseResult, matchesFilter, runConformance } from './runner';
import { layerNormGolden, layerNormReference, removeFolder, tempFolder } from './test-helpers';
import type { CaseHandler, Golden } from './types';

const folders: string[] = [];
function folder(files: Record<string, unknown>): string {
  const dir = tempFolder(files);
  folders.push(dir);
  return dir;
}
afterAll(() => folders.forEach(removeFolder));

const byName = (results: CaseResult[], name: string): CaseResult => {
  const r = results.find((x) => x.name === name);
  if (!r) throw new Error(`no result named ${name} in ${results.map((x) => x.name).join(', ')}`);
  return r;
};

/** A handler for case 'echo': returns golden 'out' plus `offset` as loopflow's value. */
function echoHandler(offset: number, extra: Partial<CaseHandler> = {}): LoadedHandler {
  const handler: CaseHandler = {
    description: 'test: echoes the golden tensor out (+ offset)',
    matches: (name) => name === 'echo',
    run: (golden: Golden) => ({
      status: 'ran',
      comparisons: [{ name: 'out', actual: golden.tensors.out.data.map((v) => v + offset), expected: golden.tensors.out.data }],
    }),
    ...extra,
  };
  return { handler, module: 'echo.ts' };
}
const echoGolden = { case: 'echo', config: {}, tensors: { out: { shape: [2, 2], data: [1, -2, 3, 0.5] } } };

describe('layerNormReference (the test oracle)', () => {
  it('reproduces the PyTorch golden to 1e-12, so goldens built from it are trustworthy', () => {
    const g: Golden = JSON.parse(fs.readFileSync(path.join(__dirname, '../../goldens/pytorch/layernorm.json'), 'utf8'));
    const t = g.tensors;
    const ref = layerNormReference(t.x.data, t.weight.data, t.bias.data, t.R.data, t.weight.shape[0], g.config.eps as number);
    const close = (a: number[], e: number[]) => a.every((v, i) => Math.abs(v - e[i]) < 1e-12);
    expect(close(ref.y, t.y.data)).toBe(true);
    expect(close(ref.gradX, t.grad_x.data)).toBe(true);
    expect(close(ref.gradW, t.grad_weight.data)).toBe(true);
    expect(close(ref.gradB, t.grad_bias.data)).toBe(true);
  });
});

describe('runConformance', () => {
  it('runs layernorm with sizes from the file (batch 5, dim 7; and [2,3,4]) in float32 and float64', async () => {
    const dir = folder({ 'a.json': layerNormGolden([5], 7, 11), 'b.json': layerNormGolden([2, 3], 4, 12) });
    for (const dtype of ['float32', 'float64'] as const) {
      const report = await runConformance(dir, { dtype });
      const cases = report.results.filter((r) => r.file);
      expect(cases.map((r) => [path.basename(r.file!), r.status, r.reason])).toEqual([
        ['a.json', 'PASS', undefined],
        ['b.json', 'PASS', undefined],
      ]);
      expect(cases[0].tensors.map((t) => [t.name, t.size])).toEqual([['y', 35], ['grad_x', 35], ['grad_weight', 7], ['grad_bias', 7]]);
      // float64 must agree far beyond float32's tolerance
      expect(cases[0].maxAbs!).toBeLessThan(dtype === 'float64' ? 1e-12 : 1e-5);
    }
  });

  it('fails a layernorm golden whose y is perturbed, naming the tensor and the element', async () => {
    const golden = layerNormGolden([5], 7, 13);
    golden.tensors.y.data[9] += 1e-3; // row 1, column 2
    const report = await runConformance(folder({ 'perturbed.json': golden }));
    const r = byName(report.results, 'layernorm');
    expect(r.status).toBe('FAIL');
    expect(r.reason).toMatch(/^y: 1 of 35 elements off \(worst \[1,2\]/);
    expect(r.maxAbs!).toBeGreaterThan(9e-4);
    expect(r.tensors.filter((t) => !t.pass).map((t) => t.name)).toEqual(['y']);
    expect(report.failed).toBeGreaterThanOrEqual(1);
  });

  it('reports a file that is not JSON as FAIL and goes on with the others', async () => {
    const dir = folder({ 'broken.json': '{"case": "layernorm", "tensors": {', 'good.json': layerNormGolden([3], 6) });
    const report = await runConformance(dir);
    const broken = byName(report.results, 'broken.json');
    expect(broken.status).toBe('FAIL');
    expect(broken.reason).toMatch(/^broken\.json: not valid JSON: /);
    expect(broken.detail).toBeUndefined();
    expect(byName(report.results, 'layernorm').status).toBe('PASS');
    expect([report.passed, report.failed, report.skipped]).toEqual([1, 1, 0]);
  });

  it('hints at NaN/Infinity written by Python', async () => {
    const report = await runConformance(folder({ 'nan.json': '{"case": "x", "tensors": {"a": {"shape": [1], "data": [NaN]}}}' }));
    expect(report.results[0].reason).toMatch(/NaN or Infinity, which JSON does not allow/);
  });

  it('reports a tensor whose data does not fill its shape as FAIL for that file', async () => {
    const golden = layerNormGolden([3], 6);
    golden.tensors.y.data.pop();
    const report = await runConformance(folder({ 'short.json': golden }));
    const r = report.results[0];
    expect([r.name, r.status]).toEqual(['layernorm', 'FAIL']);
    expect(r.reason).toBe("short.json: tensor 'y': data has 17 numbers but shape [3,6] holds 18; data must be flat, row-major and fill the shape");
  });

  it.each([
    ['no case', { tensors: { a: { shape: [1], data: [1] } } }, /missing the "case" field/],
    ['no tensors', { case: 'x', config: {} }, /missing the "tensors" field/],
    ['an array', [1, 2], /expected a JSON object .* found an array/],
    ['a bad shape', { case: 'x', tensors: { a: { shape: [2, -1], data: [] } } }, /tensor 'a': shape \[2,-1\] has an invalid size at position 1/],
    ['a string in data', { case: 'x', tensors: { a: { shape: [2], data: [1, '2'] } } }, /tensor 'a': data\[1\] is a string/],
    ['config not an object', { case: 'x', config: 3, tensors: { a: { shape: [1], data: [1] } } }, /"config" must be an object/],
  ])('reports a file with %s as FAIL', async (_label, content, reason) => {
    const report = await runConformance(folder({ 'bad.json': content }));
    expect(report.results).toHaveLength(1);
    expect(report.results[0].status).toBe('FAIL');
    expect(report.results[0].reason).toMatch(reason);
  });

  it('skips an unknown case with the reason', async () => {
    const report = await runConformance(folder({ 'n.json': { case: 'nope_case', config: {}, tensors: { a: { shape: [], data: [1] } } } }));
    expect(report.results).toEqual([
      expect.objectContaining({ name: 'nope_case', status: 'SKIP', reason: "no handler for case 'nope_case' (not implemented yet)" }),
    ]);
    expect([report.passed, report.failed, report.skipped]).toEqual([0, 0, 1]);
  });

  it('fails a handler that returns a wrong value, and passes it when right', async () => {
    const dir = folder({ 'echo.json': echoGolden });
    const wrong = await runConformance(dir, { handlers: [echoHandler(0.01)] });
    expect(wrong.results[0]).toMatchObject({ status: 'FAIL', handler: 'echo.ts' });
    expect(wrong.results[0].reason).toMatch(/^out: 4 of 4 elements off/);
    expect(wrong.results[0].maxAbs).toBeCloseTo(0.01, 10);
    const right = await runConformance(dir, { handlers: [echoHandler(0)] });
    expect(right.results[0]).toMatchObject({ status: 'PASS', maxAbs: 0, maxRel: 0 });
  });

  it('applies the tolerance of the dtype, of the outcome and of a comparison', async () => {
    const dir = folder({ 'echo.json': echoGolden });
    const small = echoHandler(5e-6); // inside float32's atol 1e-5, outside float64's
    expect((await runConformance(dir, { handlers: [small] })).results[0].status).toBe('PASS');
    expect((await runConformance(dir, { handlers: [small], dtype: 'float64' })).results[0].status).toBe('FAIL');
    const loose: LoadedHandler = echoHandler(0.01, {
      run: (g) => ({ status: 'ran', tolerance: { atol: 0.02, rtol: 0 }, comparisons: [{ name: 'out', actual: g.tensors.out.data.map((v) => v + 0.01), expected: g.tensors.out.data }] }),
    });
    expect((await runConformance(dir, { handlers: [loose] })).results[0].status).toBe('PASS');
    const tight: LoadedHandler = echoHandler(0.01, {
      run: (g) => ({
        status: 'ran',
        tolerance: { atol: 0.02, rtol: 0 },
        comparisons: [{ name: 'out', actual: g.tensors.out.data.map((v) => v + 0.01), expected: g.tensors.out.data, tolerance: { atol: 0, rtol: 0 } }],
      }),
    });
    expect((await runConformance(dir, { handlers: [tight] })).results[0].status).toBe('FAIL');
  });

  it('fails on NaN, on a length mismatch and on an outcome with nothing compared', async () => {
    const dir = folder({ 'echo.json': echoGolden });
    const run = async (h: Partial<CaseHandler>) => (await runConformance(dir, { handlers: [echoHandler(0, h)] })).results[0];
    const nan = await run({ run: (g) => ({ status: 'ran', comparisons: [{ name: 'out', actual: [1, -2, NaN, 0.5], expected: g.tensors.out.data }] }) });
    expect(nan).toMatchObject({ status: 'FAIL', maxAbs: Infinity });
    expect(nan.reason).toMatch(/worst \[1,0\]: got NaN, expected 3/);
    const short = await run({ run: (g) => ({ status: 'ran', comparisons: [{ name: 'out', actual: [1, 2], expected: g.tensors.out.data }] }) });
    expect(short).toMatchObject({ status: 'FAIL', reason: 'out: loopflow gave 2 values, the golden has 4 (shape [2,2])' });
    const empty = await run({ run: () => ({ status: 'ran', comparisons: [] }) });
    expect(empty).toMatchObject({ status: 'FAIL', reason: expect.stringMatching(/compared nothing/) });
  });

  it('reports a handler that throws as FAIL with its message (stack only in detail), also async', async () => {
    const dir = folder({ 'echo.json': echoGolden });
    const sync = echoHandler(0, { run: () => { throw new TypeError('boom'); } });
    const r1 = (await runConformance(dir, { handlers: [sync] })).results[0];
    expect(r1).toMatchObject({ status: 'FAIL', reason: 'handler threw TypeError: boom' });
    expect(r1.detail).toMatch(/TypeError: boom\n/);
    const asyncHandler = echoHandler(0, { run: async () => Promise.reject(new RangeError('later')) });
    expect((await runConformance(dir, { handlers: [asyncHandler] })).results[0].reason).toBe('handler threw RangeError: later');
    const resolved = echoHandler(0, { run: async (g) => ({ status: 'ran', comparisons: [{ name: 'out', actual: g.tensors.out.data, expected: g.tensors.out.data }] }) });
    expect((await runConformance(dir, { handlers: [resolved] })).results[0].status).toBe('PASS');
  });

  it('reports a layernorm golden that lacks a tensor the handler needs', async () => {
    const golden = layerNormGolden([2], 3);
    delete (golden.tensors as Record<string, unknown>).R;
    const r = (await runConformance(folder({ 'g.json': golden }))).results.find((x) => x.file)!;
    expect(r.status).toBe('FAIL');
    expect(r.reason).toMatch(/^golden file invalid: case 'layernorm' needs tensor 'R', which the file lacks \(it has: x, weight, bias, y, grad_x/);
  });

  it('fails a case claimed by two handlers', async () => {
    const report = await runConformance(folder({ 'echo.json': echoGolden }), { handlers: [echoHandler(0), { ...echoHandler(0), module: 'other.ts' }] });
    expect(report.results[0]).toMatchObject({ status: 'FAIL', reason: "case 'echo' is claimed by 2 handlers (echo.ts, other.ts); exactly one must match" });
  });

  it('returns no results for an empty folder', async () => {
    const report = await runConformance(folder({ 'README.md': '# not a golden' }));
    expect(report).toMatchObject({ fileCount: 0, passed: 0, failed: 0, skipped: 0 });
    expect(report.results.filter((r) => r.file)).toEqual([]);
  });

  it('throws ConformanceUsageError for a missing folder or a file', async () => {
    await expect(runConformance('/no/such/folder')).rejects.toBeInstanceOf(ConformanceUsageError);
    const dir = folder({ 'a.json': echoGolden });
    await expect(runConformance(path.join(dir, 'a.json'))).rejects.toThrow(/is not a folder/);
  });

  it('filters by substring or glob, on the case name or the file name', async () => {
    const dir = folder({ 'one.json': { ...echoGolden, case: 'lstm_L1' }, 'two.json': { ...echoGolden, case: 'lstm_L2_bi' }, 'three.json': { ...echoGolden, case: 'gru_L1' } });
    const names = async (filter: string | string[]) => (await runConformance(dir, { filter, handlers: [] })).results.map((r) => r.name);
    // results follow the file names: one.json, three.json, two.json
    expect(await names('L1')).toEqual(['lstm_L1', 'gru_L1']);
    expect(await names('lstm*')).toEqual(['lstm_L1', 'lstm_L2_bi']);
    expect(await names('*_L?')).toEqual(['lstm_L1', 'gru_L1']);
    expect(await names('thr*')).toEqual(['gru_L1']);
    expect(await names(['gru*', '*bi'])).toEqual(['gru_L1', 'lstm_L2_bi']);
    expect(matchesFilter('a.b', 'a.b')).toBe(true);
    expect(matchesFilter('axb', 'a.*')).toBe(false);
  });
});

describe('handler discovery', () => {
  it('loads every module of the cases folder, skips specs, and reports broken modules as FAIL', async () => {
    const cases = folder({
      'good.js': `exports.handlers = [{ description: 'echo', matches: (n) => n === 'echo', run: (g) => ({ status: 'ran', comparisons: [{ name: 'out', actual: g.tensors.out.data, expected: g.tensors.out.data }] }) }];`,
      'throws.js': `throw new Error('syntax is fine, but this module throws');`,
      'empty.js': `exports.something = 1;`,
      'ignored.spec.js': `throw new Error('a spec must not be loaded');`,
      'notes.md': 'not code',
    });
    const report = await runConformance(folder({ 'echo.json': echoGolden }), { casesDir: cases });
    expect(report.results.map((r) => [r.name, r.status])).toEqual([
      ['empty.js', 'FAIL'],
      ['throws.js', 'FAIL'],
      ['echo', 'PASS'],
    ]);
    expect(report.results[0].reason).toMatch(/exports no 'handlers' array/);
    expect(report.results[1].reason).toBe('handler module throws.js failed to load: syntax is fine, but this module throws');
    expect(report.results[2].handler).toBe('good.js');
  });
});
