/**
 * Holds loopflow to the PyTorch goldens kept in the repository (goldens/pytorch, a copy of
 * the shared fixtures): every case that has a handler must PASS, in float32 and float64;
 * cases without a handler are SKIP. A new handler file is held to PASS with no edit here.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadHandlers } from './discover';
import { RunReport, runConformance } from './runner';

const GOLDENS = path.join(__dirname, '../../goldens/pytorch');

describe('conformance with the PyTorch goldens (goldens/pytorch)', () => {
  const { handlers, problems } = loadHandlers();
  const caseNames = fs
    .readdirSync(GOLDENS)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(GOLDENS, f), 'utf8')).case as string);
  const handled = caseNames.filter((name) => handlers.some((h) => h.handler.matches(name))).sort();

  it('every handler module loads', () => {
    expect(problems).toEqual([]);
  });

  it('the repository holds the golden files, layernorm among them', () => {
    expect(caseNames.length).toBeGreaterThanOrEqual(20);
    expect(handled).toContain('layernorm');
  });

  describe.each(['float32', 'float64'] as const)('%s', (dtype) => {
    let report: RunReport;
    beforeAll(async () => {
      report = await runConformance(GOLDENS, { dtype });
    });

    it('layernorm passes', () => {
      expect(report.results.find((r) => r.name === 'layernorm')).toMatchObject({ status: 'PASS', handler: 'layernorm.ts' });
    });

    it('every case with a handler passes, and only those', () => {
      const failures = report.results.filter((r) => r.status === 'FAIL').map((r) => `${r.name}: ${r.reason}`);
      expect(failures).toEqual([]);
      expect(report.results.filter((r) => r.status === 'PASS').map((r) => r.name).sort()).toEqual(handled);
    });

    it('every other case is skipped as not implemented', () => {
      const skipped = report.results.filter((r) => r.status === 'SKIP');
      expect(skipped.map((r) => r.name).sort()).toEqual(caseNames.filter((n) => !handled.includes(n)).sort());
      for (const r of skipped) expect(r.reason).toBe(`no handler for case '${r.name}' (not implemented yet)`);
      expect(report.passed + report.skipped).toBe(caseNames.length);
    });
  });
});
