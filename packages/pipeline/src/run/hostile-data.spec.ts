import * as fs from 'fs';
import * as path from 'path';
import { EMPTY, lastValueFrom, tap, toArray } from 'rxjs';
import { runPipeline, RunEvent } from './run-pipeline';
import { readMetricsLog } from '../run-folder/run-folder';
import type { RunSummary } from '../run-folder/summary';
import { cleanup, seriesDefinition, tempDir } from '../testing/fixtures';
import { csvStage } from '../stages/data/sources';
import type { PipelineEvent } from '../vocabulary/events';

// The broken CSV files of issue 16, each kept as a test, through a whole run.

let dir: string;
beforeAll(() => (dir = tempDir()));
afterAll(() => cleanup(dir));

/** A sine series CSV (t,value) of `n` rows, with `edit` applied to the data lines. */
function writeCsv(file: string, n = 80, edit: (lines: string[]) => string[] = (l) => l): void {
  const lines = Array.from({ length: n }, (_, t) => `${t},${(100 + 10 * Math.sin((2 * Math.PI * t) / 12)).toFixed(4)}`);
  fs.writeFileSync(path.join(dir, file), ['t,value', ...edit(lines)].join('\n') + '\n');
}

function definition(file: string, csv: Record<string, unknown> = {}, scale?: Record<string, unknown>) {
  const d = seriesDefinition();
  if (scale) d.stages[3] = scale as { stage: string };
  d.stages[0] = { stage: 'csv', path: file, columns: [{ name: 'value', type: 'number' }], ...csv };
  d.stages[7] = { stage: 'train', epochs: 1, optimizer: { kind: 'adam', lr: 0.02 } };
  d.stages = d.stages.slice(0, 9); // no forecast output
  return d;
}

async function failure(file: string, csv: Record<string, unknown> = {}, scale?: Record<string, unknown>): Promise<{ error: { code?: string; message: string; [k: string]: unknown }; summary: RunSummary }> {
  const events: RunEvent[] = [];
  let error: unknown;
  await lastValueFrom(runPipeline(definition(file, csv, scale), { baseDir: dir, runsDir: path.join(dir, 'runs') }).pipe(tap((e) => events.push(e)))).catch((e) => (error = e));
  expect(error).toBeDefined();
  const runDir = (events[0] as Extract<RunEvent, { type: 'run-start' }>).runDir;
  return { error: error as never, summary: JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')) };
}

describe('skipped rows are counted in the output, summary.json, metrics.jsonl and the report', () => {
  it('onBadRow "skip": 3 bad rows of 80', async () => {
    writeCsv('skip.csv', 80, (l) => l.map((line, i) => (i === 10 ? '10,oops' : i === 20 ? '20' : i === 30 ? '30,0x10' : line)));
    const events = await lastValueFrom(runPipeline(definition('skip.csv', { onBadRow: 'skip' }), { baseDir: dir, runsDir: path.join(dir, 'runs') }).pipe(toArray()));
    const done = events[events.length - 1] as Extract<RunEvent, { type: 'run-done' }>;
    const read = { stage: 'csv', path: '/stages/0', file: 'skip.csv', rows: 77, skipped: 3 };
    expect(events).toContainEqual({ type: 'read', ...read, errors: [expect.stringContaining('line 12, column "value"'), expect.stringContaining('line 22: expected 2 fields'), expect.stringContaining('line 32, column "value" (field 2): expected a finite number, received "0x10"')] });
    expect(events).toContainEqual({ type: 'log', message: 'csv skip.csv: skipped 3 bad rows of 80 (onBadRow: \'skip\'); the first at line 12, column "value": expected a finite number, received "oops"' });
    const summary = JSON.parse(fs.readFileSync(path.join(done.runDir, 'summary.json'), 'utf8')) as RunSummary;
    expect(summary.sources).toEqual([expect.objectContaining(read)]);
    expect(summary.samples?.train).toBeGreaterThan(0);
    expect(readMetricsLog(path.join(done.runDir, 'metrics.jsonl'))[0]).toMatchObject({ type: 'read', ...read });
    const report = fs.readFileSync(path.join(done.runDir, 'report.html'), 'utf8');
    expect(report).toContain('<tr><th>rows skipped</th><td>3</td></tr>');
    expect(report).toContain('<td style="text-align:left">csv <code>skip.csv</code></td><td>77</td><td>3</td>');
    expect(report).toContain('received &quot;0x10&quot;');
  });
});

describe('no rows: a clear error naming the file, not "Scaler.fit: no rows"', () => {
  it.each([
    ['an empty file', 'empty.csv', '', /csv \(\/stages\/0\): empty\.csv is empty; expected a header row and data rows/],
    ['a header only', 'header.csv', 't,value\n', /csv \(\/stages\/0\): header\.csv has a header \(t, value\) but no data rows/],
  ])('%s', async (_what, file, text, message) => {
    fs.writeFileSync(path.join(dir, file), text);
    const { error, summary } = await failure(file, { onBadRow: 'skip' });
    expect(error).toMatchObject({ code: 'DATA_EMPTY', file, message: expect.stringMatching(message) });
    expect(error.message).not.toMatch(/Scaler/);
    expect(summary).toMatchObject({ status: 'failed', error: { code: 'DATA_EMPTY' } });
  });

  it('every row bad under "skip": the count and the first bad row, with its column', async () => {
    writeCsv('allbad.csv', 12, (l) => l.map((line) => line.replace(/,.*/, ',n/a')));
    const { error } = await failure('allbad.csv', { onBadRow: 'skip' });
    expect(error).toMatchObject({ code: 'DATA_EMPTY', file: 'allbad.csv', line: 2, column: 'value' });
    expect(error.message).toMatch(/^csv \(\/stages\/0\): every row of allbad\.csv is bad: 12 skipped \(onBadRow: 'skip'\), none kept; the first: csvRows: .*line 2, column "value" \(field 2\): expected a finite number, received "n\/a"/);
  });
});

it('an unclosed quote under "skip" fails the run at the line and column where the quote opens, not after dropping the rest', async () => {
  writeCsv('quote.csv', 80, (l) => l.map((line, i) => (i === 20 ? '20,"100.5' : line)));
  const { error } = await failure('quote.csv', { onBadRow: 'skip' });
  expect(error).toMatchObject({ code: 'DATA_BAD_CSV', line: 22, column: 4 });
  expect(error.message).toMatch(/quote\.csv line 22, column 4: the quote opening this field is never closed/);
});

it('0x10 in a number column is a bad value, not 16', async () => {
  writeCsv('hex.csv', 40, (l) => l.map((line, i) => (i === 5 ? '5,0x10' : line)));
  const { error } = await failure('hex.csv');
  expect(error).toMatchObject({ code: 'DATA_BAD_VALUE', line: 7, column: 'value', received: '0x10' });
});

it.each([
  ['standard', 'the training rows', (i: number) => (i % 2 ? '1e308' : '-1e308'), /^scale \(\/stages\/3\), the training rows: column 'value': its mean or standard deviation overflows float64/],
  ['minmax', 'the training rows', (i: number) => (i % 2 ? '1e308' : '-1e308'), /^scale \(\/stages\/3\), the training rows: column 'value': its range \(1e\+308 - -1e\+308\) overflows float64/],
  ['minmax', 'a test row beyond the training rows', (i: number) => (i === 79 ? '-1.7e308' : String(1e308 - i * 1e293)), /^scale \(\/stages\/3\): row 79 \(test\), column 'value' = -1\.7e\+308 scales to -Infinity/],
])('±1e308 through a %s scale (%s): an error naming the stage and the column', async (kind, _what, value, message) => {
  writeCsv('huge.csv', 80, (l) => l.map((line, i) => `${i},${value(i)}`));
  const { error } = await failure('huge.csv', {}, { stage: 'scale', kind });
  expect(error).toMatchObject({ code: 'DATA_BAD_VALUE', column: 'value', message: expect.stringMatching(message) });
  expect(error.message).not.toMatch(/fromJSON|toJSON/);
});

it('with a limit, the read event still counts the rows kept and skipped up to it', async () => {
  writeCsv('limit.csv', 80, (l) => l.map((line, i) => (i === 3 ? '3,bad' : line)));
  const events: PipelineEvent[] = [];
  const ctx = { baseDir: dir, runDir: null, seed: 0, name: 't', path: '/stages/0', artifacts: {}, emit: (e: PipelineEvent) => events.push(e) };
  const operator = csvStage.create({ path: 'limit.csv', columns: [{ name: 'value', type: 'number' }], onBadRow: 'skip', limit: 10 }, ctx);
  const items = await lastValueFrom(operator(EMPTY).pipe(toArray()));
  expect(items).toHaveLength(10);
  expect(events).toContainEqual(expect.objectContaining({ type: 'read', file: 'limit.csv', rows: 10, skipped: 1 }));
});

