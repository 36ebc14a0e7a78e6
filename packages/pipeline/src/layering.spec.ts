/**
 * The layering inside @loopflow/pipeline, read by dependency-cruiser: no import cycle between
 * modules, none between folders, and the vocabulary the stages share (src/vocabulary) imports
 * nothing else of the package. (The rules across packages live in tools/.)
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..', '..');
const SRC = 'packages/pipeline/src';

/** dependency-cruiser is an ES module: run it in a child node, which prints the graph and the cycles as JSON. */
const script = `
const { cruise } = await import('dependency-cruiser');
const ruleSet = { forbidden: [{ name: 'no-circular', severity: 'error', from: {}, to: { circular: true } }] };
const result = await cruise(['${SRC}'], { includeOnly: '^${SRC}/', tsPreCompilationDeps: true, validate: true, ruleSet });
const modules = result.output.modules.map((m) => ({ source: m.source, dependencies: m.dependencies.map((d) => d.resolved) }));
const cycles = result.output.summary.violations.map((v) => [v.from, v.to, ...(v.cycle ?? []).map((c) => c.name ?? c)]);
process.stdout.write(JSON.stringify({ modules, cycles }));
`;

interface Graph {
  modules: { source: string; dependencies: string[] }[];
  cycles: string[][];
}

let graph: Graph;
beforeAll(() => {
  graph = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })) as Graph;
}, 60000);

const inPackage = (file: string): string => file.slice(SRC.length + 1);
const folderOf = (file: string): string => path.posix.dirname(inPackage(file));
const isSpec = (file: string): boolean => /\.spec\.ts$/.test(file);

describe('the layering of @loopflow/pipeline', () => {
  it('reads the whole package', () => {
    expect(graph.modules.map((m) => inPackage(m.source))).toEqual(expect.arrayContaining(['index.ts', 'run/run-pipeline.ts', 'vocabulary/stage.ts', 'definition/validate.ts']));
  });

  it('has no import cycle between modules', () => {
    expect(graph.cycles).toEqual([]);
  });

  it('has no import cycle between folders (specs aside)', () => {
    const edges = new Map<string, Set<string>>();
    for (const m of graph.modules) {
      if (isSpec(m.source)) continue;
      for (const d of m.dependencies) {
        const [from, to] = [folderOf(m.source), folderOf(d)];
        if (from !== to) edges.set(from, new Set([...(edges.get(from) ?? []), to]));
      }
    }
    const reaches = (from: string, target: string): boolean => {
      const seen = new Set<string>();
      const todo = [from];
      while (todo.length) {
        const folder = todo.pop() as string;
        if (folder === target) return true;
        if (seen.has(folder)) continue;
        seen.add(folder);
        todo.push(...(edges.get(folder) ?? []));
      }
      return false;
    };
    const cyclic = [...edges].flatMap(([from, tos]) => [...tos].filter((to) => reaches(to, from)).map((to) => `${from} -> ${to}`));
    expect(cyclic).toEqual([]);
  });

  it('the vocabulary the stages share imports nothing else of the package', () => {
    const outside = graph.modules
      .filter((m) => folderOf(m.source) === 'vocabulary')
      .flatMap((m) => m.dependencies.filter((d) => folderOf(d) !== 'vocabulary').map((d) => `${inPackage(m.source)} -> ${inPackage(d)}`));
    expect(outside).toEqual([]);
  });
});
