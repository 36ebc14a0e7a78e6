/**
 * The layering of ../../.dependency-cruiser.cjs (package direction from DESIGN.md, no deep
 * imports, no cycles, tools/ by package name only, specs and test helpers, Node built-ins),
 * checked by dependency-cruiser over every source of the repository: packages/<name>/src,
 * assembly and bin, tools/ and the .js files. `npm run deps` runs the same check.
 *
 * dependency-cruiser is an ES module, so the check runs in
 * a child process (tools/deps/check.mjs, through the API) and hands back JSON.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

interface Violation {
  readonly rule: string;
  readonly from: string;
  readonly to: string;
  readonly cycle?: string[];
  readonly text: string;
}

interface CheckOutput {
  readonly modules: number;
  readonly dependencies: number;
  readonly violations: Violation[];
  readonly report: string;
}

const script = path.join(__dirname, 'check.mjs');

function runCheck(cwd?: string): CheckOutput {
  const args = [script, '--json', ...(cwd ? ['--cwd', cwd] : [])];
  try {
    return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (error) {
    // Exit code 1 = violations found: the JSON is still on stdout. Anything else is a failure to run.
    const failed = error as { status?: number; stdout?: string; stderr?: string };
    if (failed.status === 1 && failed.stdout) return JSON.parse(failed.stdout);
    throw new Error(`tools/deps/check.mjs failed (exit ${failed.status}):\n${failed.stderr ?? String(error)}`);
  }
}

describe('layering (.dependency-cruiser.cjs)', () => {
  it('holds over the whole repository', () => {
    const { modules, violations, report } = runCheck();
    // It saw the sources: every package, the AssemblyScript kernels, bin/, tools/ and the .js files.
    expect(modules).toBeGreaterThan(400);
    if (violations.length > 0) {
      throw new Error(`${violations.length} layering violation(s) (npm run deps prints the same):\n${report}`);
    }
  });

  describe('on a fixture tree with one of each violation', () => {
    let fixture: string;

    const files: Record<string, string> = {
      'tsconfig.base.json': JSON.stringify({
        compilerOptions: {
          baseUrl: '.',
          paths: Object.fromEntries(
            ['tensor', 'layers', 'cells', 'attention', 'extra'].map((name) => [`@loopflow/${name}`, [`packages/${name}/src/index.ts`]]),
          ),
        },
      }),
      'packages/tensor/src/index.ts': "export { add } from './ops/add';\nexport { a } from './a';\n",
      'packages/tensor/src/ops/add.ts': 'export const add = 1;\n',
      // A cycle inside a package.
      'packages/tensor/src/a.ts': "import { b } from './b';\nexport const a = b;\n",
      'packages/tensor/src/b.ts': "import type { a } from './a';\nexport const b = 2;\nexport type A = typeof a;\n",
      'packages/tensor/assembly/matmul.ts': '// @ts-ignore: decorator\n@inline\nexport function tile(): i32 {\n  return 4;\n}\n',
      // Against the direction: layers may import only tensor.
      'packages/layers/src/index.ts': "import { add } from '@loopflow/tensor';\nimport { cell } from '@loopflow/cells';\nexport const layer = add + cell;\n",
      // Deep imports: a relative path into another package's file, `@loopflow/x/...`, and a
      // relative path to another package's index (not by name). The assembly import is allowed.
      'packages/cells/src/index.ts': [
        "import { add } from '@loopflow/tensor';",
        "import { add as deep } from '../../tensor/src/ops/add';",
        "import { add as subpath } from '@loopflow/tensor/src/ops/add';",
        "import { a } from '../../tensor/src/index';",
        'export const cell = add + deep + subpath + a;',
        '',
      ].join('\n'),
      'packages/cells/assembly/kernel.ts': "import { tile } from '../../tensor/assembly/matmul';\n// @ts-ignore: decorator\n@inline\nexport function step(): i32 {\n  return tile();\n}\n",
      // Specs may import their package's test helpers; sources may not import either.
      'packages/cells/src/test-helpers.ts': "import { cell } from './index';\nexport const helper = cell;\n",
      'packages/cells/src/cell.spec.ts': "import { helper } from './test-helpers';\nexport const checked = helper;\n",
      'packages/cells/src/uses-spec.ts': "import { checked } from './cell.spec';\nimport { helper } from './test-helpers';\nexport const wrong = checked + helper;\n",
      // A Node built-in where the table says node: false.
      'packages/attention/src/index.ts': "import * as fs from 'fs';\nimport { add } from '@loopflow/tensor';\nexport const attention = fs ? add : 0;\n",
      // A package missing from the table.
      'packages/extra/src/index.ts': "import { add } from '@loopflow/tensor';\nexport const extra = add;\n",
      // tools/ by name is fine; by relative path, or into a file, is not.
      'tools/ok.ts': "import { add } from '@loopflow/tensor';\nexport const ok = add;\n",
      'tools/wrong.ts': "import { add } from '../packages/tensor/src/ops/add';\nimport { a } from '../packages/tensor/src/index';\nexport const wrong = add + a;\n",
      'jest.config.js': "const path = require('path');\nrequire('./tools/wrong.ts');\nmodule.exports = { root: path.sep };\n",
    };

    beforeAll(() => {
      fixture = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-deps-'));
      for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(fixture, file)), { recursive: true });
        fs.writeFileSync(path.join(fixture, file), text);
      }
      // As npm workspaces link them: node_modules/@loopflow/<name> -> packages/<name>.
      fs.mkdirSync(path.join(fixture, 'node_modules', '@loopflow'), { recursive: true });
      fs.symlinkSync(path.join('..', '..', 'packages', 'tensor'), path.join(fixture, 'node_modules', '@loopflow', 'tensor'), 'dir');
    });

    afterAll(() => {
      fs.rmSync(fixture, { recursive: true, force: true });
    });

    it('reports each violation, and nothing that is allowed', () => {
      const { violations, report } = runCheck(fixture);
      const found = violations.map((v) => `${v.rule}: ${v.text}`).sort();
      expect(found).toEqual(
        [
          'no-circular: packages/tensor/src/a.ts:1 -> packages/tensor/src/b.ts:1 -> packages/tensor/src/a.ts',
          'layering-layers: packages/layers/src/index.ts:2 -> packages/cells/src/index.ts',
          'no-deep-import: packages/cells/src/index.ts:2 -> packages/tensor/src/ops/add.ts',
          'no-loopflow-subpath: packages/cells/src/index.ts:3 -> node_modules/@loopflow/tensor/src/ops/add.ts',
          'no-relative-import-across-packages: packages/cells/src/index.ts:4 -> packages/tensor/src/index.ts',
          'not-to-spec: packages/cells/src/uses-spec.ts:1 -> packages/cells/src/cell.spec.ts',
          'test-helpers-only-from-specs: packages/cells/src/uses-spec.ts:2 -> packages/cells/src/test-helpers.ts',
          'no-node-builtins: packages/attention/src/index.ts:1 -> fs',
          'package-not-in-table: packages/extra/src/index.ts:1 -> packages/tensor/src/index.ts',
          'outside-packages-by-name-only: tools/wrong.ts:1 -> packages/tensor/src/ops/add.ts',
          'outside-packages-no-relative-path: tools/wrong.ts:2 -> packages/tensor/src/index.ts',
        ].sort(),
      );
      // The readable report names each rule with its reason, then the import sites.
      expect(report).toContain('no-circular: no import cycles');
      expect(report).toContain('  packages/layers/src/index.ts:2 -> packages/cells/src/index.ts');
    });
  });
});
