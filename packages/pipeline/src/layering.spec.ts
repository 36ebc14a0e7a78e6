/**
 * The folders of @loopflow/pipeline form layers: no import cycle between folders, specs aside.
 * dependency-cruiser's folder-scoped rules cannot leave the specs out, so this one check reads
 * the module graph from dependency-cruiser and folds it into folders here. Every other rule
 * (no cycle between modules, src/vocabulary importing nothing else of the package, the
 * direction between packages) is in .dependency-cruiser.cjs, checked by tools/deps.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..', '..');
const SRC = 'packages/pipeline/src';

/** dependency-cruiser is an ES module: run it in a child node, which prints the graph and the cycles as JSON. */
const script = `
const { cruise } = await import('dependency-cruiser');
const result = await cruise(['${SRC}'], { includeOnly: '^${SRC}/', tsPreCompilationDeps: true });
const modules = result.output.modules.map((m) => ({ source: m.source, dependencies: m.dependencies.map((d) => d.resolved) }));
process.stdout.write(JSON.stringify({ modules }));
`;

interface Graph {
  modules: { source: string; dependencies: string[] }[];
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
});
