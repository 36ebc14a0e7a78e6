import { JsonSyntaxError, MAX_JSON_DEPTH, parseJsonWithPositions } from './json-positions';
import { DefinitionProblem } from './problems';
import { validateDefinition } from './validate';
import { cleanup, namesDefinition, tempDir, writeNames, problemsOfText } from '../testing/fixtures';

// The hostile definitions of issue 16, each kept as a test.

let dir: string;
beforeAll(() => {
  dir = tempDir();
  writeNames(dir);
});
afterAll(() => cleanup(dir));

const problemsOf = (text: string): DefinitionProblem[] => problemsOfText(dir, text);

/** The names definition as text with `replace` applied to stage `index`'s JSON, one stage per line. */
function withStage(index: number, stage: string): string {
  const d = namesDefinition();
  const lines = d.stages.map((s, i) => `    ${i === index ? stage : JSON.stringify(s)}`);
  return `{\n  "name": "names",\n  "seed": 7,\n  "stages": [\n${lines.join(',\n')}\n  ]\n}`;
}

describe('deep nesting', () => {
  it.each([
    ['arrays', '[', ']'],
    ['objects', '{"a":', '}'],
  ])('20,000 nested %s: a problem with its path and line:column, no stack overflow', (_what, open, close) => {
    const deep = `${open.repeat(20_000)}1${close.repeat(20_000)}`;
    const problems = problemsOf(`{\n  "name": "x",\n  "deep": ${deep}\n}`);
    expect(problems).toHaveLength(1);
    const [p] = problems;
    expect(p.code).toBe('INVALID_VALUE');
    expect(p.message).toMatch(/nested more than 256 levels/);
    const step = open === '[' ? '/0' : '/a';
    expect(p.path).toBe(`/deep${step.repeat(MAX_JSON_DEPTH - 1)}`);
    expect(p.position).toEqual({ line: 3, column: 11 + open.length * (MAX_JSON_DEPTH - 1) });
  });

  it(`reads ${MAX_JSON_DEPTH} levels (the limit itself) as JSON.parse does`, () => {
    const text = `${'['.repeat(MAX_JSON_DEPTH)}1${']'.repeat(MAX_JSON_DEPTH)}`;
    expect(parseJsonWithPositions(text).value).toEqual(JSON.parse(text));
    expect(() => parseJsonWithPositions(`[${text}]`)).toThrow(JsonSyntaxError);
  });
});

describe('"__proto__" is an ordinary key', () => {
  it('is an own property of the parsed object, never its prototype', () => {
    const { value } = parseJsonWithPositions('{"__proto__": {"seed": 1}}');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value as object)).toEqual(['__proto__']);
    expect((value as { seed?: number }).seed).toBeUndefined();
  });

  it('a whole definition under "__proto__" is not a definition', () => {
    const problems = problemsOf(`{\n  "__proto__": ${JSON.stringify(namesDefinition())}\n}`);
    expect(problems).toContainEqual(expect.objectContaining({ code: 'UNKNOWN_KEY', path: '/__proto__', position: { line: 2, column: 3 }, message: "unknown key '__proto__'" }));
    expect(problems).toContainEqual(expect.objectContaining({ code: 'MISSING_KEY', path: '/stages' }));
  });

  it('"__proto__" in a stage is an unknown key named __proto__ at its place, alone or next to other keys', () => {
    const alone = problemsOf(withStage(7, '{"stage": "train", "optimizer": {"kind": "adam", "lr": 0.02}, "__proto__": {"epochs": 2}}'));
    expect(alone.map((p) => [p.code, p.path, p.position])).toEqual([
      ['MISSING_KEY', '/stages/7/epochs', { line: 12, column: 5 }],
      ['UNKNOWN_KEY', '/stages/7/__proto__', { line: 12, column: 67 }],
    ]);
    expect(alone[1].message).toBe("unknown key '__proto__' in stage 'train'");
    const beside = problemsOf(withStage(7, '{"stage": "train", "epochs": 2, "__proto__": {"polluted": 1}}'));
    expect(beside.map((p) => [p.code, p.path])).toEqual([['UNKNOWN_KEY', '/stages/7/__proto__']]);
  });

  it('validateDefinition reports "__proto__" from JSON.parse the same way', () => {
    const d = JSON.parse(withStage(7, '{"stage": "train", "epochs": 2, "__proto__": {"epochs": 2}}'));
    expect(validateDefinition(d, { baseDir: dir }).map((p) => [p.code, p.path])).toEqual([['UNKNOWN_KEY', '/stages/7/__proto__']]);
  });
});

describe('numbers out of range', () => {
  it('refuses a seed above 2^53 - 1 with the limit', () => {
    const problems = problemsOf('{\n  "name": "names",\n  "seed": 1e20,\n  "stages": []\n}');
    expect(problems).toContainEqual(expect.objectContaining({ code: 'INVALID_VALUE', path: '/seed', position: { line: 3, column: 11 }, expected: `a value <= ${Number.MAX_SAFE_INTEGER}` }));
    expect(problemsOf(`{"seed": ${Number.MAX_SAFE_INTEGER}}`).some((p) => p.path === '/seed')).toBe(false);
  });

  it('epochs 1e999 is "not a finite number" at its place, not "found null"', () => {
    const problems = problemsOf(withStage(7, '{"stage": "train", "epochs": 1e999}'));
    expect(problems).toEqual([expect.objectContaining({ code: 'INVALID_VALUE', path: '/stages/7/epochs', position: { line: 12, column: 34 }, found: '1e999' })]);
    expect(problems[0].message).toMatch(/not a finite number/);
    expect(problems[0].found).not.toMatch(/null/);
  });

  it.each([
    [6, '{"stage": "recurrent", "cell": "lstm", "hiddenSize": 1000000000}', '/stages/6/hiddenSize', 'a value <= 65536'],
    [6, '{"stage": "recurrent", "cell": "lstm", "hiddenSize": 12, "numLayers": 1000000}', '/stages/6/numLayers', 'a value <= 64'],
    [7, '{"stage": "train", "epochs": 1000000000000}', '/stages/7/epochs', 'a value <= 1000000'],
    [5, '{"stage": "batch", "batchSize": 10000000}', '/stages/5/batchSize', 'a value <= 1000000'],
  ])('refuses stage %i beyond its maximum: %s', (index, stage, path, expected) => {
    const problems = problemsOf(withStage(index, stage));
    expect(problems).toEqual([expect.objectContaining({ code: 'INVALID_VALUE', path, expected, position: expect.objectContaining({ line: 5 + index }) })]);
  });

  it('accepts the maximums themselves', () => {
    const d = namesDefinition();
    d.stages[7] = { stage: 'train', epochs: 1_000_000, optimizer: { kind: 'adam', lr: 0.02 } };
    d.stages[6] = { stage: 'recurrent', cell: 'lstm', hiddenSize: 65536, numLayers: 64 };
    expect(validateDefinition(d, { baseDir: dir, checkFiles: false }).filter((p) => p.code === 'INVALID_VALUE')).toEqual([]);
  });
});
