import * as fs from 'fs';
import * as path from 'path';
import { validateDefinition } from './validate';
import { cleanup, reviewsDefinition, seriesDefinition, tempDir, writeReviews, writeSeries } from '../testing/fixtures';
import type { PipelineDefinition } from './types';

let dir: string;
beforeAll(() => {
  dir = tempDir();
  writeSeries(dir); // series.csv: t,value
  writeReviews(dir); // reviews.csv: text,label
});
afterAll(() => cleanup(dir));

const problemsOf = (definition: PipelineDefinition, checkFiles = true) => validateDefinition(definition, { baseDir: dir, checkFiles }).map((p) => ({ path: p.path, message: p.message, expected: p.expected, hint: p.hint }));

describe('validate reports every problem it can find at once', () => {
  it('a stage error and a search field error together (the search block is checked though the stages have problems)', () => {
    const definition = seriesDefinition();
    definition.stages[5] = { stage: 'batch', batchSize: '16' };
    definition.search = { parameters: { 'windows.lookBackk': { values: [4, 6] }, 'recurrent.hiddenSize': { values: [4, 8] } } };
    const problems = problemsOf(definition);
    expect(problems.map((p) => p.path)).toEqual(['/stages/5/batchSize', '/search/parameters/windows.lookBackk']);
    expect(problems[1].message).toMatch(/^trial 0 \(.*\) would be invalid: \/stages\/4\/lookBackk unknown key 'lookBackk' in stage 'windows'/);
    expect(problems[1].hint).toBe("did you mean 'lookBack'?");
    // a field that does not resolve at all, beside a stage error
    definition.search = { parameters: { 'nowhere.size': { values: [1] } } };
    expect(problemsOf(definition).map((p) => p.path)).toEqual(['/stages/5/batchSize', '/search/parameters/nowhere.size']);
  });

  it("a csv column the file's header lacks, with the columns it has", () => {
    const definition = seriesDefinition();
    definition.stages[0] = { stage: 'csv', path: 'series.csv', columns: [{ name: 'valeu', type: 'number' }] };
    expect(problemsOf(definition)).toEqual([
      { path: '/stages/0/columns/0/name', message: "the file series.csv has no column 'valeu'", expected: "one of its columns: 't', 'value'", hint: "did you mean 'value'?" },
    ]);
    // a plain name, and a column that is no likely typo
    definition.stages[0] = { stage: 'csv', path: 'series.csv', columns: ['t', 'price'] };
    expect(problemsOf(definition)).toEqual([
      { path: '/stages/0/columns/1', message: "the file series.csv has no column 'price'", expected: "one of its columns: 't', 'value'", hint: 'name a column of the header row (the first line of the file)' },
    ]);
  });

  it('a field a later stage names that the records lack: from the header, or from the columns kept (renamed with as)', () => {
    const series = seriesDefinition();
    series.stages[0] = { stage: 'csv', path: 'series.csv' };
    series.stages[1] = { stage: 'numeric-columns', columns: ['vlaue'] };
    expect(problemsOf(series)).toEqual([{ path: '/stages/1/columns/0', message: "the records have no field 'vlaue'", expected: "one of their fields: 't', 'value'", hint: "did you mean 'value'?" }]);

    const reviews = reviewsDefinition();
    reviews.stages[0] = { stage: 'csv', path: 'reviews.csv', columns: ['text', { name: 'label', as: 'category' }] };
    expect(problemsOf(reviews)).toEqual([{ path: '/stages/1/label', message: "the records have no field 'label'", expected: "one of their fields: 'text', 'category'", hint: "name a field of the records (a csv source's columns, or its header)" }]);
    reviews.stages[1] = { stage: 'text-field', field: 'text', label: 'category', labels: ['bad', 'good'] };
    expect(problemsOf(reviews)).toEqual([]);
  });

  it('reads nothing with checkFiles: false, and stays quiet when the file is not a readable CSV', () => {
    const series = seriesDefinition();
    series.stages[1] = { stage: 'numeric-columns', columns: ['vlaue'] };
    expect(problemsOf(series, false)).toEqual([]);
    fs.writeFileSync(path.join(dir, 'empty.csv'), '');
    series.stages[0] = { stage: 'csv', path: 'empty.csv', columns: ['value'] };
    expect(problemsOf(series)).toEqual([]);
  });
});
