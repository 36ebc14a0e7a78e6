/**
 * Holds the dependency direction of ../shared/DESIGN.md (what Nx tags + depConstraints
 * would hold): each package imports only the packages listed for it, only by name, and
 * never reaches into another package's files.
 */
import * as fs from 'fs';
import * as path from 'path';

const allowed: Record<string, string[]> = {
  tensor: [],
  layers: ['tensor'],
  cells: ['tensor', 'layers'],
  attention: ['tensor', 'layers'],
  losses: ['tensor'],
  optimizers: ['tensor'],
  data: ['tensor'],
  training: ['tensor', 'layers', 'cells', 'attention', 'losses', 'optimizers', 'data'],
  pipeline: ['tensor', 'layers', 'cells', 'attention', 'losses', 'optimizers', 'data', 'training'],
  benchmark: ['tensor', 'layers', 'cells', 'attention', 'losses', 'optimizers', 'data', 'training'],
  cli: ['tensor', 'layers', 'cells', 'attention', 'losses', 'optimizers', 'data', 'training', 'pipeline', 'benchmark'],
};

const root = path.join(__dirname, '..', 'packages');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(p));
    else if (entry.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('package dependency direction', () => {
  const packages = fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'src')));

  it('knows every package', () => {
    expect(packages.length).toBeGreaterThan(0);
    for (const p of packages) expect(Object.keys(allowed)).toContain(p);
  });

  for (const pkg of packages) {
    it(`${pkg} imports only what DESIGN.md allows`, () => {
      const problems: string[] = [];
      for (const file of sourceFiles(path.join(root, pkg, 'src'))) {
        const text = fs.readFileSync(file, 'utf8');
        const re = /(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g;
        let m: RegExpExecArray | null;
        while ((m = re.exec(text))) {
          const spec = m[1];
          const rel = path.relative(root, file);
          if (spec.startsWith('@loopflow/')) {
            const dep = spec.slice('@loopflow/'.length).split('/')[0];
            if (spec.split('/').length > 2) problems.push(`${rel}: deep import '${spec}'; import '@loopflow/${dep}' instead`);
            if (dep !== pkg && !allowed[pkg].includes(dep)) problems.push(`${rel}: imports @loopflow/${dep}, which ${pkg} may not depend on`);
          } else if (spec.startsWith('.')) {
            const target = path.resolve(path.dirname(file), spec);
            if (!target.startsWith(path.join(root, pkg) + path.sep)) problems.push(`${rel}: relative import '${spec}' leaves the package`);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  }
});
