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
 * `6,399` is 6399. In the Results section of examples/README.md every paragraph and table must
 * be under such a comment.
 */
import * as fs from 'fs';
import * as path from 'path';
import { figureCheck, figureSections, numbersOfFiles } from './figures';

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
    const problems = sections.flatMap((s) => {
      const values = numbersOfFiles(s.files.map((f) => path.join(root, f)));
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
