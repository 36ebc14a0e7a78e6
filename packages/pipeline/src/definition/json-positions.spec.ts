import { JsonSyntaxError, parseJsonWithPositions } from './json-positions';

describe('parseJsonWithPositions', () => {
  it('parses like JSON.parse and records where every value and key is', () => {
    const text = '{\n  "name": "x",\n  "stages": [\n    { "stage": "csv", "a~b/c": 1.5e2 }\n  ]\n}';
    const { value, locations } = parseJsonWithPositions(text);
    expect(value).toEqual(JSON.parse(text));
    expect(locations.get('/name')).toEqual({ key: { line: 2, column: 3 }, value: { line: 2, column: 11 } });
    expect(locations.get('/stages/0')?.value).toEqual({ line: 4, column: 5 });
    expect(locations.get('/stages/0/stage')?.value).toEqual({ line: 4, column: 16 });
    expect(locations.get('/stages/0/a~0b~1c')?.key).toEqual({ line: 4, column: 23 });
  });

  it.each([
    ['{"a": 1,}', 1, 9, /trailing comma/],
    ['{"a": 1}\n{"b": 2}', 2, 1, /after the end/],
    ['{\n  "a": tru\n}', 2, 8, /expected a value/],
    ["{'a': 1}", 1, 2, /double quotes/],
    ['{"a": 1, "a": 2}', 1, 10, /appears twice/],
    ['{\n  // note\n  "a": 1\n}', 2, 3, /comments are not allowed/],
    ['[1, 2', 1, 6, /expected ',' or ']'/],
  ])('reports %j at its line and column', (text, line, column, reason) => {
    let error: unknown;
    try {
      parseJsonWithPositions(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JsonSyntaxError);
    expect((error as JsonSyntaxError).position).toEqual({ line, column });
    expect((error as JsonSyntaxError).reason).toMatch(reason);
  });

  it('reads escapes and unicode as JSON.parse does', () => {
    const text = '{"s": "a\\n\\u00e9\\"", "n": [-0.5, 0, 1e-3, true, false, null]}';
    expect(parseJsonWithPositions(text).value).toEqual(JSON.parse(text));
  });
});
