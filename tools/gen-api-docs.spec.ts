// The API reference in docs/api is generated (tools/gen-api-docs.mjs, `npm run docs`): this test
// regenerates it into a temporary folder and compares it with docs/api file by file, so a change
// to an exported signature or TSDoc comment fails here until docs/api is regenerated.
// TypeDoc runs in a child process (it is an ES module; jest runs CommonJS): about 15 s here.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const committed = path.join(root, 'docs', 'api');
const script = path.join(root, 'tools', 'gen-api-docs.mjs');

/** Every file under a folder: relative path (with /) -> text. */
function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!fs.existsSync(dir)) return files;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, full).split(path.sep).join('/'), fs.readFileSync(full, 'utf8'));
  }
  return files;
}

/** The first line where two texts differ: what docs/api has there, and what the sources generate. */
function firstDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i] !== right[i]) return `line ${i + 1}: has ${JSON.stringify(left[i] ?? '<end of file>')}, generated ${JSON.stringify(right[i] ?? '<end of file>')}`;
  }
  return 'same lines';
}

/** The differences between docs/api and a fresh generation, one line each (empty when none). */
function treeDifferences(have: Map<string, string>, want: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const [file, text] of want) {
    if (!have.has(file)) lines.push(`missing  docs/api/${file}`);
    else if (have.get(file) !== text) lines.push(`differs  docs/api/${file} (${firstDifference(have.get(file)!, text)})`);
  }
  for (const file of have.keys()) if (!want.has(file)) lines.push(`stale    docs/api/${file} (no longer generated)`);
  return lines.sort((x, y) => x.slice(9).localeCompare(y.slice(9)));
}

describe('docs/api (the generated API reference)', () => {
  it('is up to date with the TSDoc comments of every package', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-api-docs-'));
    try {
      const run = spawnSync(process.execPath, [script, '--out', out, '--quiet'], { cwd: root, encoding: 'utf8', timeout: 110_000 });
      if (run.status !== 0) {
        throw new Error(`[API_DOCS_GENERATE] node tools/gen-api-docs.mjs failed (exit ${run.status ?? run.signal}):\n${run.stderr}${run.stdout}`);
      }
      const generated = readTree(out);
      expect(generated.size).toBeGreaterThan(0);
      const differences = treeDifferences(readTree(committed), generated);
      if (differences.length > 0) {
        const shown = differences.slice(0, 25);
        throw new Error(
          `[API_DOCS_OUT_OF_DATE] docs/api is out of date: ${differences.length} file(s) differ from what the sources generate.\n` +
            `Run \`npm run docs\` and commit docs/api (do not edit it by hand).\n` +
            shown.join('\n') +
            (differences.length > shown.length ? `\n... and ${differences.length - shown.length} more` : ''),
        );
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);

  it('reports missing, differing and stale files', () => {
    const have = new Map([['a.md', 'x\ny'], ['old.md', '']]);
    const want = new Map([['a.md', 'x\nz'], ['new.md', '']]);
    expect(treeDifferences(have, want)).toEqual([
      'differs  docs/api/a.md (line 2: has "y", generated "z")',
      'missing  docs/api/new.md',
      'stale    docs/api/old.md (no longer generated)',
    ]);
  });
});
