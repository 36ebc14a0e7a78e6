import * as path from 'path';
import { DefinitionProblem, formatProblems } from './problems';
import { validateDefinition } from './validate';
import { cleanup, definitionText, namesDefinition, reviewsDefinition, seriesDefinition, tempDir, writeNames, writeReviews, writeSeries, problemsOfText } from '../testing/fixtures';

let dir: string;
beforeAll(() => {
  dir = tempDir();
  writeNames(dir);
  writeReviews(dir);
  writeSeries(dir);
});
afterAll(() => cleanup(dir));

const problemsOf = (text: string): DefinitionProblem[] => problemsOfText(dir, text);

const only = (problems: DefinitionProblem[], code: string) => problems.filter((p) => p.code === code);

describe('validateDefinition', () => {
  it('accepts the three task pipelines', () => {
    for (const d of [namesDefinition(), reviewsDefinition(), seriesDefinition(), reviewsDefinition({ stage: 'attention', dModel: 8, heads: 2, layers: 1 })]) {
      expect(validateDefinition(d, { baseDir: dir })).toEqual([]);
    }
  });

  it('reports every problem at once, each with its path, line:column, expected, found and a hint', () => {
    const d = namesDefinition() as any;
    d.stages[5] = { stage: 'batch', batchSize: '8' }; // wrong type
    d.stages[6] = { stage: 'recurrent', hidenSize: 12, cell: 'lsmt' }; // unknown key, missing key, bad enum
    d.stages[7] = { stage: 'trian', epochs: 3 }; // unknown stage
    d.extra = true; // unknown top-level key
    const text = definitionText(d);
    const problems = problemsOf(text);
    const lines = text.split('\n');
    const at = (p: DefinitionProblem) => lines[(p.position?.line ?? 0) - 1].slice((p.position?.column ?? 1) - 1);

    const wrongType = only(problems, 'WRONG_TYPE')[0];
    expect(wrongType).toMatchObject({ path: '/stages/5/batchSize', expected: 'a whole number', found: 'the string "8"', hint: 'write the number without quotes: 8' });
    expect(at(wrongType)).toMatch(/^"8"/);

    const unknownKeys = only(problems, 'UNKNOWN_KEY');
    expect(unknownKeys.map((p) => p.path)).toEqual(['/stages/6/hidenSize', '/extra']);
    expect(unknownKeys[0].hint).toBe("did you mean 'hiddenSize'?");
    expect(at(unknownKeys[0])).toMatch(/^"hidenSize"/); // points at the key

    // the misspelt required key is one problem, not two
    expect(unknownKeys[0].message).toBe("unknown key 'hidenSize' in stage 'recurrent' (the required key 'hiddenSize' is missing)");
    expect(only(problems, 'MISSING_KEY')).toEqual([]);
    expect(only(problems, 'INVALID_VALUE')).toEqual([expect.objectContaining({ path: '/stages/6/cell', hint: "did you mean 'lstm'?", found: 'the string "lsmt"' })]);
    const unknownStage = only(problems, 'UNKNOWN_STAGE')[0];
    expect(unknownStage).toMatchObject({ path: '/stages/7/stage', hint: "did you mean 'train'?" });
    expect(at(unknownStage)).toMatch(/^"trian"/);
    expect(problems).toHaveLength(5);
    // ordered by position in the file
    const positions = problems.map((p) => (p.position?.line ?? 0) * 1000 + (p.position?.column ?? 0));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    // the message a user sees: file:line:column path: message; expected; found + hint, no stack
    const message = formatProblems(problems, 'p.json');
    expect(message).toContain(`p.json:${wrongType.position?.line}:${wrongType.position?.column} /stages/5/batchSize: wrong type in stage 'batch'; expected a whole number, found the string "8"`);
    expect(message).not.toMatch(/\n\s+at /);
  });

  it('inside a union, reports the problem of the alternative the value was meant for', () => {
    const d = reviewsDefinition();
    d.stages[0] = { stage: 'csv', path: 'reviews.csv', columns: ['text', { name: 'label', tpye: 'string' }, 5] };
    d.stages[8] = { stage: 'train', epochs: 1, checkpoint: 'often' };
    expect(validateDefinition(d, { baseDir: dir }).map((p) => [p.code, p.path, p.expected, p.hint])).toEqual([
      ['UNKNOWN_KEY', '/stages/0/columns/1/tpye', "one of 'name', 'type', 'as' or 'missing'", "did you mean 'type'?"],
      ['INVALID_VALUE', '/stages/0/columns/2', 'a string or an object', undefined],
      ['INVALID_VALUE', '/stages/8/checkpoint', 'false or an object', undefined],
    ]);
    const f = namesDefinition();
    f.stages[6] = { stage: 'feedback', layers: [{ name: 'h', size: 4, cell: 'gru' }], feedback: [{ kind: 'lateral', layr: 'h' }] };
    expect(validateDefinition(f, { baseDir: dir }).map((p) => [p.code, p.path, p.message])).toEqual([
      ['UNKNOWN_KEY', '/stages/6/feedback/0/layr', "unknown key 'layr' in stage 'feedback' (the required key 'layer' is missing)"],
    ]);
  });

  it('reports a missing required key at the key it expects, with what belongs there', () => {
    const d = namesDefinition();
    d.stages[7] = { stage: 'train', optimizer: { kind: 'sgd' } };
    expect(validateDefinition(d, { baseDir: dir })).toEqual([
      { code: 'MISSING_KEY', path: '/stages/7/epochs', message: "missing required key 'epochs' in stage 'train'", expected: 'a whole number (Passes over the training split.)' },
    ]);
  });

  it('reports a stage whose input does not fit the previous output, and suggests what goes between', () => {
    const d = namesDefinition();
    d.stages.splice(1, 1); // drop tokenize: random-split then vocabulary reads texts
    const problems = validateDefinition(d, { baseDir: dir });
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'KIND_MISMATCH',
        path: '/stages/2/stage',
        message: "'vocabulary' reads tokens, but 'random-split' gives texts",
        hint: "put 'tokenize' between them",
      }),
    ]);
  });

  it('requires a source first, a split before fitting, and a trained model at the end', () => {
    const noSource = namesDefinition();
    noSource.stages.shift();
    expect(validateDefinition(noSource, { baseDir: dir })[0]).toMatchObject({ code: 'KIND_MISMATCH', path: '/stages/0/stage', message: expect.stringContaining('a pipeline starts with a source') });

    const leak = namesDefinition();
    [leak.stages[2], leak.stages[3]] = [leak.stages[3], leak.stages[2]]; // vocabulary before the split
    expect(only(validateDefinition(leak, { baseDir: dir }), 'PIPELINE_SHAPE')[0]).toMatchObject({ path: '/stages/2/stage', message: expect.stringContaining('fitted on the training split') });

    const short = namesDefinition();
    short.stages = short.stages.slice(0, 6);
    expect(validateDefinition(short, { baseDir: dir })).toEqual([expect.objectContaining({ code: 'PIPELINE_SHAPE', path: '/stages', hint: "continue with 'recurrent', 'feedback' or 'attention'" })]);
  });

  it("reports options a stage's factory refuses, at the option's path", () => {
    const lm = namesDefinition();
    lm.stages[6] = { stage: 'recurrent', hiddenSize: 8, bidirectional: true };
    lm.stages[7] = { stage: 'train', epochs: 1, bptt: { stepsPerUpdate: 4, stepsBackward: 2 } };
    const problems = validateDefinition(lm, { baseDir: dir });
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['STAGE_OPTIONS', '/stages/6/bidirectional'],
      ['STAGE_OPTIONS', '/stages/7/bptt/stepsBackward'],
    ]);
    const cls = reviewsDefinition();
    cls.stages[8] = { stage: 'train', epochs: 1, bptt: { stepsPerUpdate: 4 }, loss: 'mse' };
    cls.stages[10] = { stage: 'samples' };
    expect(validateDefinition(cls, { baseDir: dir }).map((p) => p.path)).toEqual(['/stages/8/loss', '/stages/10']);
  });

  it('reports a missing data file with its resolved path', () => {
    const d = namesDefinition();
    d.stages[0] = { stage: 'lines', path: 'nope/names.txt' };
    expect(validateDefinition(d, { baseDir: dir })).toEqual([
      expect.objectContaining({
        code: 'FILE',
        path: '/stages/0/path',
        message: `no data file at ${path.join(dir, 'nope', 'names.txt')}: the folder ${dir}/ has no 'nope'`,
        hint: expect.stringMatching(new RegExp(`holds .*names\\.txt.* \\(relative paths are read from the definition's folder, ${dir}\\)$`)),
      }),
    ]);
  });

  it('reports a JSON syntax error alone, with its position', () => {
    expect(problemsOf('{\n  "name": "x",\n  "stages": [,]\n}')).toEqual([expect.objectContaining({ code: 'JSON_SYNTAX', position: { line: 3, column: 14 } })]);
  });

  it('checks the search block: fields that do not resolve and values that make a trial invalid', () => {
    const d = namesDefinition({ search: { parameters: { 'recurrent.hidenSize': { values: [4, 8] }, 'nothing.here': { values: [1] } } } });
    const first = validateDefinition(d, { baseDir: dir });
    expect(first.map((p) => [p.code, p.path])).toEqual([['SEARCH', '/search/parameters/nothing.here']]);
    const d2 = namesDefinition({ search: { parameters: { 'recurrent.hidenSize': { values: [4, 8] }, 'train.optimizer.lr': { logUniform: [0.001, 0.1] } } } });
    expect(validateDefinition(d2, { baseDir: dir }).map((p) => [p.code, p.path])).toEqual([['SEARCH', '/search/parameters/train.optimizer.lr/logUniform']]);
    const d3 = namesDefinition({ search: { method: 'random', trials: 3, parameters: { 'recurrent.hidenSize': { int: [4, 8] } } } });
    expect(validateDefinition(d3, { baseDir: dir })).toEqual([
      expect.objectContaining({ code: 'SEARCH', path: '/search/parameters/recurrent.hidenSize', message: expect.stringContaining("unknown key 'hidenSize'"), hint: "did you mean 'hiddenSize'?" }),
    ]);
    expect(validateDefinition(namesDefinition({ search: { parameters: { 'recurrent.cell': { values: ['lstm', 'gru', 'rnn'] } } } }), { baseDir: dir })).toEqual([]);
  });
});
