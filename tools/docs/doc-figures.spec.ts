/**
 * The figures that examples/README.md and docs/benchmarks.md quote come from result files a
 * command wrote, kept in the repository beside them (examples/<example>/results/,
 * docs/results/<name>/).
 *
 * A comment `<!-- figures: <path> [<path> ...] -->` (paths from the repository root; a folder
 * stands for every file in it, recursively) names the files of the block that follows it (the
 * paragraph or table, up to a blank line, a heading or the next such comment). Every number of that text (inline code, links' targets and
 * the comment itself left out) must be a number of those files, at the doc's precision: `0.861`
 * is a value that rounds to 0.861; `97.0%` one that rounds to 97.0 or, times 100, to 97.0;
 * `6,399` is 6399; dates (`2026-12-07`), clock times with a two-digit hour (`14:23 UTC`) and
 * references (`issue 13`, `#3830`) are not figures. In the Results section of examples/README.md every paragraph and table that
 * holds a number must be under such a comment.
 *
 * In docs/benchmarks.md every paragraph, list and table (outside code blocks) that quotes a
 * measurement must be under such a comment. A block quotes a measurement when a number in it
 * (inline code, link targets and comments left out) carries a unit of time (`us`, `ms`, `s`,
 * `min`, `minutes`, `CPU-s`, `CPU-ms`), speed (`steps/s`, `ms/step`, `GB/s`, `GFLOP/s`) or memory
 * (`KB`, `MB`, `GB`), or is a ratio or share (`1.26x`, `19 %`), unless `<`, `>`, `<=`, `>=`,
 * "at least", "at most", "under" or "over" stands before it or "target" after it (a threshold);
 * or when it is a table with a cell that is just a number (`93,311`, `~2,630`, `0.83`). Sizes of a
 * configuration (`T 64, batch 32`, `128 units`), versions, dates and counts are not measurements.
 */
import * as fs from 'fs';
import * as path from 'path';
import { figureCheck, figureSections, measuredFigures, numbersOfFiles, uncoveredMeasurements } from './figures';

const root = path.resolve(__dirname, '..', '..');
const DOCS = ['examples/README.md', 'docs/benchmarks.md'];

describe.each(DOCS)('the figures of %s', (doc) => {
  const text = fs.readFileSync(path.join(root, doc), 'utf8');
  const sections = figureSections(text);

  it('names result files that exist', () => {
    expect(sections.length).toBeGreaterThan(0);
    const missing = sections.flatMap((s) => s.files.filter((f) => !fs.existsSync(path.join(root, f))).map((f) => `${doc}:${s.line}: ${f}`));
    expect(missing).toEqual([]);
  });

  it('quotes only numbers of the files it names', () => {
    const valuesOf = new Map<string, number[]>(); // one folder is named by many blocks
    const problems = sections.flatMap((s) => {
      const key = s.files.join(' ');
      if (!valuesOf.has(key)) valuesOf.set(key, numbersOfFiles(s.files.map((f) => path.join(root, f))));
      const values = valuesOf.get(key) as number[];
      return figureCheck(s.text, values).map((figure) => `${doc}:${s.line + figure.line}: ${figure.text} is in none of ${s.files.join(', ')}`);
    });
    expect(problems).toEqual([]);
  });
});

describe('the check itself', () => {
  it('finds a figure at the precision it is quoted, and misses one the files do not hold', () => {
    const files = [path.join(root, 'examples/co2-forecast/results/seed-1/summary.json')]; // test rmse 0.98913...
    const values = numbersOfFiles(files);
    expect(figureCheck('RMSE 0.989, 0.99 and 1; 52 epochs', values)).toEqual([]);
    expect(figureCheck('RMSE 0.990 over 75 months, 98.9% or -0.989', values).map((f) => f.text)).toEqual(['0.990', '-0.989']);
    expect(figureCheck('lr 0.01 / 64: 2.063 in `loopflow run x-2.json` [a](b/3.md)', [2.063, 0.01, 64])).toEqual([]);
    expect(figureCheck('2026-12-07 14:23-14:27 UTC (issue 13, tfjs#3830), whole suite 3:26', []).map((f) => f.text)).toEqual(['3', '26']);
  });

  it('tells a measurement from a configuration, a threshold or a date', () => {
    expect(measuredFigures('1.26x PyTorch, a step of 44.8 ms, 402 MB, 87,131 steps/s, 28 % of the job, 1.3 CPU-s')).toEqual([
      '1.26x',
      '44.8 ms',
      '402 MB',
      '87,131 steps/s',
      '28 %',
      '1.3 CPU-s',
    ]);
    expect(measuredFigures('T 64, batch 32, 128 units, Node 20.20.2, 2026-12-07 14:23 UTC, 2 cores, `--mb 200` [r](a/5 ms.md)')).toEqual([]);
    expect(measuredFigures('LSTM training >= 15x tfjs-wasm, under 500 MB, at least 10x, < 2 min, below the 20x target')).toEqual([]);
    expect(measuredFigures('| cell | steps/s |\n|---|---:|\n| lstm 64 | 93,311 |')).toEqual(['93,311']);
    expect(measuredFigures('| option | default |\n|---|---|\n| `--hidden` | 128 units |')).toEqual([]);
  });

  it('reports a measured block outside any figures comment, and only that one', () => {
    const doc = [
      '# Runs',
      '',
      '<!-- figures: docs/results/x -->',
      'LSTM 93,311 steps/s (1.26x).',
      '',
      'Configuration: T 64, batch 32, >= 15x is the target.',
      '',
      'GRU 111,477 steps/s, a step of 18.4 ms.',
      '',
      '```sh',
      'echo 5 ms',
      '```',
    ].join('\n');
    expect(uncoveredMeasurements(doc)).toEqual([{ line: 8, text: 'GRU 111,477 steps/s, a step of 18.4 ms.', figures: ['111,477 steps/s', '18.4 ms'] }]);
  });
});

describe('docs/benchmarks.md', () => {
  it('puts every paragraph, list and table that quotes a measurement under a figures comment', () => {
    const text = fs.readFileSync(path.join(root, 'docs/benchmarks.md'), 'utf8');
    const uncovered = uncoveredMeasurements(text).map((b) => `docs/benchmarks.md:${b.line}: ${b.figures.join(', ')} (${b.text.slice(0, 60)}...)`);
    expect(uncovered).toEqual([]);
  });
});

describe('examples/README.md', () => {
  it('puts every paragraph and table of its Results section that holds a number under a figures comment', () => {
    const text = fs.readFileSync(path.join(root, 'examples/README.md'), 'utf8');
    const start = text.indexOf('\n## Results');
    const end = text.indexOf('\n## ', start + 5);
    const covered = figureSections(text).map((s) => s.text);
    const uncovered = text
      .slice(start, end < 0 ? undefined : end)
      .split(/\n\s*\n/)
      .map((block) => block.trim())
      .filter((block) => block && !block.startsWith('#') && !block.startsWith('<!--') && figureCheck(block, []).length > 0)
      .filter((block) => !covered.some((c) => c.includes(block)));
    expect(uncovered).toEqual([]);
  });
});
