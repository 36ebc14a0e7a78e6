/**
 * Executable documentation: every TypeScript and JSON code block of README.md, docs/ (but the
 * generated docs/api and docs/reference), examples/README.md and packages/<name>/README.md
 * (the fence convention: blocks.ts).
 *
 * - TypeScript (and JavaScript) blocks: all type-checked in one TypeScript program (the
 *   repository's compiler options, package names mapped to their sources), then each run in a
 *   child process of its own (ts-node, transpile only; two at a time) from a scratch folder that
 *   links `examples/` and `node_modules/`, after the preamble of preambles.ts. Top-level `await`
 *   fails the type check (TS1378), as it fails a user's ts-node. A ```text output block right
 *   after a block is compared with what the block printed.
 * - JSON blocks: a pipeline definition is validated (`validateDefinition`, its data files
 *   written by its preamble into its folder), a single stage inside the host definition its
 *   preamble gives, a feedback-network definition with `validateFeedbackDefinition`; a
 *   ```json runnable one is also run through `runPipeline`, shrunk by preambles.ts's SHRINK
 *   overrides (one epoch, a few hundred items); a ```json invalid one must fail validation and
 *   its problems, as `loopflow validate` prints them, are its output. A definition named like
 *   one of examples/ must be that example (apart from `$schema` and `description`).
 * - ```ts fragment / ```json fragment blocks are skipped, and only those.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { parse as parseJsonc, ParseError } from 'jsonc-parser';
import { lastValueFrom, toArray } from 'rxjs';
import { validateFeedbackDefinition } from '@loopflow/cells';
import { DefinitionError, DefinitionOverrides, formatProblems, parseDefinition, runPipeline, validateDefinition } from '@loopflow/pipeline';
import type { RunEvent } from '@loopflow/pipeline';
import { DocBlock, docFiles, extractBlocks, matchesOutput, withOutputs } from './blocks';
import { JSON_PREAMBLES, PREAMBLES, SHRINK } from './preambles';

const root = path.resolve(__dirname, '..', '..');
const files = docFiles(root);
const all = files.flatMap((f) => withOutputs(extractBlocks(fs.readFileSync(path.join(root, f), 'utf8'), f)));
const code = all.filter(({ block }) => block.kind === 'ts' || block.kind === 'json');
const tsBlocks = code.filter(({ block }) => block.kind === 'ts' && !block.fragment);
const jsonBlocks = code.filter(({ block }) => block.kind === 'json' && !block.fragment);
const skipped = code.filter(({ block }) => block.fragment);
const label = (b: DocBlock): string => `${b.file}:${b.line} (${b.id})`;

/** Per file: blocks run and skipped, as the test's first line says. */
function counts(): string {
  const rows = files
    .map((f) => {
      const run = code.filter(({ block }) => block.file === f && !block.fragment);
      const skip = skipped.filter(({ block }) => block.file === f);
      return run.length + skip.length ? `  ${f}: ${run.length} run (${run.filter(({ block }) => block.kind === 'ts').length} ts, ${run.filter(({ block }) => block.kind === 'json').length} json), ${skip.length} skipped` : '';
    })
    .filter(Boolean);
  return `${tsBlocks.length + jsonBlocks.length} blocks run (${tsBlocks.length} TypeScript, ${jsonBlocks.length} JSON), ${skipped.length} fragments skipped:\n${rows.join('\n')}`;
}

let scratch: string;
const sources = new Map<string, { file: string; offset: number }>();

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-doc-blocks-'));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'));
  fs.mkdirSync(path.join(scratch, 'blocks'));
  // baseUrl and paths written out: tsconfig-paths does not take `paths` from an extended config,
  // and without them the blocks would load the packages' built dist (stale, or absent on a fresh
  // clone) instead of their sources
  const base = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } };
  fs.writeFileSync(
    path.join(scratch, 'tsconfig.json'),
    JSON.stringify({ extends: path.join(root, 'tsconfig.base.json'), compilerOptions: { baseUrl: root, paths: base.compilerOptions.paths }, include: ['blocks/*.ts'] }),
  );
  for (const { block } of tsBlocks) {
    const preamble = PREAMBLES[block.id];
    const before = preamble?.before ?? '';
    const file = path.join(scratch, 'blocks', `${block.id.replace(/[^A-Za-z0-9]+/g, '_')}.ts`);
    // `export {}` makes every block a module, so blocks do not share one global scope.
    fs.writeFileSync(file, `${before}${block.text}\n${preamble?.after ?? ''}export {};\n`);
    sources.set(block.id, { file, offset: before.split('\n').length - 1 });
  }
});

afterAll(() => {
  process.stdout.write(`docs test: ${counts()}\n`);
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

describe(`documentation code blocks: ${tsBlocks.length + jsonBlocks.length} run, ${skipped.length} fragments skipped`, () => {
  it('finds the blocks, and every preamble belongs to a block that exists', () => {
    expect(tsBlocks.length).toBeGreaterThan(10);
    expect(jsonBlocks.length).toBeGreaterThan(5);
    const ids = new Set(code.map(({ block }) => block.id));
    expect(Object.keys(PREAMBLES).filter((id) => !ids.has(id))).toEqual([]);
    expect(Object.keys(JSON_PREAMBLES).filter((id) => !ids.has(id))).toEqual([]);
  });

  it('runs the blocks against the packages\' sources, not a built dist', () => {
    const { execFileSync } = require('child_process') as typeof import('child_process');
    const probe = path.join(scratch, 'blocks', 'resolve-probe.js');
    fs.writeFileSync(probe, "process.stdout.write(['pipeline', 'onnx'].map((p) => require.resolve('@loopflow/' + p)).join('\\n'));");
    try {
      const printed = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', probe], {
        cwd: scratch,
        encoding: 'utf8',
        env: { ...process.env, TS_NODE_PROJECT: path.join(scratch, 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true' },
      });
      expect(printed.split('\n')).toEqual([path.join(root, 'packages', 'pipeline', 'src', 'index.ts'), path.join(root, 'packages', 'onnx', 'src', 'index.ts')]);
    } finally {
      fs.rmSync(probe);
    }
  });

  it('every TypeScript block type-checks (one program, strict, as tsconfig.base.json)', () => {
    const base = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.base.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
    if (!base) throw new Error('tsconfig.base.json could not be read');
    const options: ts.CompilerOptions = { ...base.options, noEmit: true, sourceMap: false, declaration: false, typeRoots: [path.join(root, 'node_modules', '@types')] };
    const program = ts.createProgram([...sources.values()].map((s) => s.file), options);
    const problems: string[] = [];
    for (const { block } of tsBlocks) {
      const { file, offset } = sources.get(block.id)!;
      const sf = program.getSourceFile(file)!;
      for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
        const { line } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
        const where = line < offset ? `preamble line ${line + 1}` : `${block.file}:${block.line + line - offset + 1}`;
        problems.push(`${where} (${block.id}): TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      }
    }
    expect(problems).toEqual([]);
  });

  describe('TypeScript blocks run', () => {
    const results = new Map<string, Promise<{ code: number | null; stdout: string; stderr: string }>>();
    const queue: (() => void)[] = [];
    let running = 0;
    const PARALLEL = 2;
    function schedule(id: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
      let result = results.get(id);
      if (result) return result;
      result = new Promise((resolve) => {
        const start = (): void => {
          running++;
          const work = fs.mkdtempSync(path.join(scratch, 'work-'));
          fs.symlinkSync(path.join(root, 'examples'), path.join(work, 'examples'));
          fs.symlinkSync(path.join(root, 'node_modules'), path.join(work, 'node_modules'));
          const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', sources.get(id)!.file], {
            cwd: work,
            // FORCE_COLOR=0: console.log prints plain text whoever runs the test (Nx sets FORCE_COLOR for its tasks)
            env: { ...process.env, TS_NODE_PROJECT: path.join(scratch, 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true', NODE_PATH: path.join(root, 'node_modules'), FORCE_COLOR: '0' },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d) => (stdout += d));
          child.stderr.on('data', (d) => (stderr += d));
          const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
          child.on('close', (code) => {
            clearTimeout(timer);
            running--;
            queue.shift()?.();
            resolve({ code, stdout, stderr });
          });
        };
        if (running < PARALLEL) start();
        else queue.push(start);
      });
      results.set(id, result);
      return result;
    }
    // Start them all at once (two at a time); each test then waits for its own.
    beforeAll(() => {
      for (const { block } of tsBlocks) void schedule(block.id);
    });

    it.each(tsBlocks.map((b) => [label(b.block), b] as const))('%s', async (_name, { block, output }) => {
      const { code: exit, stdout, stderr } = await schedule(block.id);
      if (exit !== 0) throw new Error(`${label(block)} exited with ${exit}:\n${stderr.slice(-3000)}\n${stdout.slice(-1000)}`);
      if (output && !matchesOutput(output.text, stdout)) {
        throw new Error(`${label(block)} printed what the output block at line ${output.line} does not quote:\n--- printed\n${stdout}\n--- quoted\n${output.text}`);
      }
    });
  });

  describe('JSON blocks validate (and run when marked runnable)', () => {
    const examples = new Map<string, unknown>();
    beforeAll(() => {
      for (const dir of fs.readdirSync(path.join(root, 'examples'), { withFileTypes: true })) {
        if (!dir.isDirectory()) continue;
        for (const f of fs.readdirSync(path.join(root, 'examples', dir.name)).filter((n) => n.endsWith('.json'))) {
          const value = JSON.parse(fs.readFileSync(path.join(root, 'examples', dir.name, f), 'utf8'));
          examples.set(value.name, value);
        }
      }
    });

    it.each(jsonBlocks.map((b) => [label(b.block), b] as const))('%s', async (_name, { block, output }) => {
      const errors: ParseError[] = [];
      const value = block.lang === 'jsonc' ? parseJsonc(block.text, errors, { allowTrailingComma: false }) : JSON.parse(block.text);
      expect(errors).toEqual([]);
      const preamble = JSON_PREAMBLES[block.id];
      const dir = fs.mkdtempSync(path.join(scratch, 'json-'));
      for (const [name, text] of Object.entries(preamble?.files ?? {})) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
      }
      if (value && typeof value === 'object' && 'inputSize' in value && 'layers' in value) {
        expect(() => validateFeedbackDefinition(value)).not.toThrow();
        return;
      }
      const isStage = value && typeof value === 'object' && 'stage' in value && !('stages' in value);
      if (isStage && !preamble?.host) throw new Error(`${label(block)} is one stage: give it a host definition in preambles.ts (JSON_PREAMBLES), or mark it \`json fragment\``);
      const definition = isStage ? JSON.parse(JSON.stringify(preamble!.host).replace('"$block"', JSON.stringify(value))) : value;
      if (!definition || typeof definition !== 'object' || !('stages' in definition)) {
        throw new Error(`${label(block)} is neither a pipeline definition, a stage nor a feedback network; mark it \`json fragment\` if it is part of one`);
      }
      if (block.words.includes('invalid')) {
        const file = block.words.find((w) => w.startsWith('file='))?.slice(5);
        let problems: string;
        try {
          parseDefinition(block.text, { baseDir: dir, ...(file ? { file } : {}) });
          throw new Error(`${label(block)} is marked invalid but validates`);
        } catch (e) {
          if (!(e instanceof DefinitionError)) throw e;
          problems = formatProblems(e.problems, file);
        }
        if (output && !matchesOutput(output.text, problems)) throw new Error(`validation printed:\n${problems}\n--- the output block at line ${output.line} quotes:\n${output.text}`);
        return;
      }
      const problems = validateDefinition(definition, { baseDir: dir });
      if (problems.length) throw new Error(`${label(block)}:\n${formatProblems(problems)}`);
      const example = examples.get((definition as { name: string }).name);
      if (example && !isStage) {
        const strip = ({ $schema: _s, description: _d, ...rest }: Record<string, unknown>): unknown => rest;
        expect({ [label(block)]: strip(definition as Record<string, unknown>) }).toEqual({ [label(block)]: strip(example as Record<string, unknown>) });
      }
      if (block.words.includes('runnable')) {
        const overrides: DefinitionOverrides = {};
        (definition as { stages: Record<string, unknown>[] }).stages.forEach((stage, i) => {
          for (const [key, v] of Object.entries(SHRINK[stage.stage as string]?.(stage) ?? {})) overrides[`/stages/${i}/${key}`] = v;
        });
        const events = await lastValueFrom(runPipeline(definition, { baseDir: dir, runsDir: path.join(dir, 'runs'), overrides }).pipe(toArray()));
        const done = events[events.length - 1] as Extract<RunEvent, { type: 'run-done' }>;
        expect(done.type).toBe('run-done');
        expect({ status: done.summary.status, error: done.summary.error }).toEqual({ status: 'completed', error: undefined });
      }
    });
  });
});
