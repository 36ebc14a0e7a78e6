import fc from 'fast-check';
import { parseDefinition } from './load';
import { DefinitionError } from './problems';
import { cleanup, namesDefinition, seriesDefinition, tempDir, writeNames, writeSeries } from '../testing/fixtures';

// Property-based tests (issue 16): whatever text or value a definition holds, reading it never
// crashes: it is a definition, or a DefinitionError whose every problem carries a code, a JSON
// pointer and (read from text) a line:column inside the text.

const CODES = ['JSON_SYNTAX', 'UNKNOWN_KEY', 'MISSING_KEY', 'WRONG_TYPE', 'INVALID_VALUE', 'UNKNOWN_STAGE', 'KIND_MISMATCH', 'PIPELINE_SHAPE', 'STAGE_OPTIONS', 'SEARCH', 'FILE', 'MEMORY'];

let dir: string;
beforeAll(() => {
  dir = tempDir();
  writeNames(dir);
  writeSeries(dir);
});
afterAll(() => cleanup(dir));

function check(text: string): void {
  let error: unknown;
  try {
    parseDefinition(text, { baseDir: dir, file: 'p.json', checkSearch: false });
    return;
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DefinitionError);
  const lines = text.split('\n');
  for (const p of (error as DefinitionError).problems) {
    expect(CODES).toContain(p.code);
    expect(p.path === '' || p.path.startsWith('/')).toBe(true);
    expect(typeof p.message).toBe('string');
    expect(p.position).toBeDefined();
    const { line, column } = p.position as { line: number; column: number };
    expect(line).toBeGreaterThanOrEqual(1);
    expect(line).toBeLessThanOrEqual(lines.length);
    expect(column).toBeGreaterThanOrEqual(1);
    expect(column).toBeLessThanOrEqual((lines[line - 1]?.length ?? 0) + 1);
  }
}

/** Replaces the value at a random path of `value` (objects and arrays) by `replacement`. */
function mutate(value: unknown, choices: number[], replacement: unknown): unknown {
  if (choices.length === 0 || value === null || typeof value !== 'object') return replacement;
  const [choice, ...rest] = choices;
  if (Array.isArray(value)) {
    if (value.length === 0) return replacement;
    const i = choice % value.length;
    return value.map((v, j) => (j === i ? mutate(v, rest, replacement) : v));
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[choice % keys.length];
  return { ...(value as Record<string, unknown>), [key]: mutate((value as Record<string, unknown>)[key], rest, replacement) };
}

const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(1e308, -1e308, 2 ** 53, 1e20, -0, 0.5, -1, 65537, 1e6, 1e12, '__proto__', '', 'x'.repeat(20_000)),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'stage', 'epochs', 'hiddenSize', 'toString'), fc.jsonValue({ maxDepth: 1 })),
);

describe('the definition reader (property-based)', () => {
  it('random text: a definition or located problems', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), check), { numRuns: 300 });
  });

  it('random JSON values: a definition or located problems', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => check(JSON.stringify(value, null, 2) ?? 'null')), { numRuns: 200 });
  });

  it('the examples with one value replaced by a hostile one: a definition or located problems', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), hostileValue, (names, choices, replacement) => {
        const base = names ? namesDefinition() : seriesDefinition();
        check(JSON.stringify(mutate(base, choices, replacement), null, 2));
      }),
      { numRuns: 300 },
    );
  });

  it('deep nesting, unbalanced brackets and cut-off texts: located problems, never a stack overflow', () => {
    const nested = fc.tuple(fc.constantFrom('[', '{"a":', '{"__proto__":'), fc.integer({ min: 200, max: 30_000 }), fc.boolean());
    fc.assert(
      fc.property(nested, fc.nat(), ([open, depth, closed], cut) => {
        const close = open === '[' ? ']' : '}';
        const deep = `${open.repeat(depth)}1${closed ? close.repeat(depth) : ''}`;
        const text = `{\n  "name": "x",\n  "stages": ${deep}\n}`;
        check(text);
        check(text.slice(0, cut % text.length));
      }),
      { numRuns: 40 },
    );
  });
});
