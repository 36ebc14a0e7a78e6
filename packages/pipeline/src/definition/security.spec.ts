import * as fs from 'fs';
import * as path from 'path';
import { lastValueFrom } from 'rxjs';
import { validateDefinition } from './validate';
import { DefinitionError } from './problems';
import { runPipeline } from '../run/run-pipeline';
import { buildModel } from '../model/builders';
import { loadModel } from '../model/model-file';
import { Random } from '@loopflow/tensor';
import { cleanup, namesDefinition, tempDir, writeNames } from '../testing/fixtures';

let dir: string;
let marker: string;
let evil: string;
beforeAll(() => {
  dir = tempDir();
  writeNames(dir);
  marker = path.join(dir, 'EXECUTED');
  evil = path.join(dir, 'evil.js');
  // If anything ever required this file, the marker would appear.
  fs.writeFileSync(evil, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); module.exports = () => (s) => s;\n`);
});
afterAll(() => cleanup(dir));

describe('a definition is data: it never runs code it names', () => {
  it.each([
    ['a stage named by a relative path', { stage: './evil.js' }],
    ['a stage named by an absolute path', { stage: '' }],
    ['a stage named like a package', { stage: 'fs' }],
  ])('refuses %s (UNKNOWN_STAGE) and never loads it', async (_what, entry) => {
    const stage = entry.stage === '' ? evil : entry.stage;
    const d = namesDefinition();
    d.stages.splice(1, 0, { stage });
    const problems = validateDefinition(d, { baseDir: dir });
    expect(problems).toEqual([expect.objectContaining({ code: 'UNKNOWN_STAGE', path: '/stages/1/stage', message: expect.stringContaining('never loaded from a file') })]);
    await expect(lastValueFrom(runPipeline(d, { baseDir: dir, runsDir: path.join(dir, 'runs') }))).rejects.toBeInstanceOf(DefinitionError);
    expect(fs.existsSync(path.join(dir, 'runs'))).toBe(false); // refused before any folder was made
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('refuses keys that name code (plugin, require) with a hint, and never loads them', () => {
    const d = { ...namesDefinition(), plugin: './evil.js', require: [evil] };
    const problems = validateDefinition(d, { baseDir: dir });
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['UNKNOWN_KEY', '/plugin'],
      ['UNKNOWN_KEY', '/require'],
    ]);
    expect(problems[0].hint).toMatch(/cannot load code/);
    const inStage = namesDefinition();
    inStage.stages[6] = { ...inStage.stages[6], factory: './evil.js' };
    expect(validateDefinition(inStage, { baseDir: dir })).toEqual([expect.objectContaining({ code: 'UNKNOWN_KEY', path: '/stages/6/factory', hint: expect.stringMatching(/cannot load code/) })]);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('reads a data path that leaves the folder as data only (a .js file is text, never run)', async () => {
    const d = namesDefinition();
    d.stages[0] = { stage: 'lines', path: evil };
    expect(validateDefinition(d, { baseDir: path.join(dir, 'sub') })).toEqual([]); // absolute: allowed for reading
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('builds models only from the known families: a model.json naming a file is refused', () => {
    expect(() => buildModel({ kind: evil, task: 'forecast', options: {}, input: { kind: 'features', size: 1 }, outputSize: 1 }, new Random(0))).toThrow(/kind .* is unknown; expected one of recurrent, attention, feedback/);
    const run = path.join(dir, 'fake-run');
    fs.mkdirSync(run);
    fs.writeFileSync(path.join(run, 'model.json'), JSON.stringify({ format: 'loopflow.model/1', architecture: { kind: '__proto__' }, weights: '../evil.js' }));
    expect(() => loadModel(run)).toThrow(/is unknown/);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('the pipeline and CLI sources never require or import a computed path', () => {
    const roots = [path.resolve(__dirname, '..'), path.resolve(__dirname, '..', '..', '..', 'cli', 'src')];
    const offenders: string[] = [];
    const walk = (d: string): void => {
      for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
          const text = fs.readFileSync(p, 'utf8');
          for (const m of text.matchAll(/\b(require|import)\s*\(\s*([^)'"`\s][^)]*)\)/g)) offenders.push(`${path.relative(roots[0], p)}: ${m[0]}`);
        }
      }
    };
    roots.filter((r) => fs.existsSync(r)).forEach(walk);
    expect(offenders).toEqual([]);
  });
});
