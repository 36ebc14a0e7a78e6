import * as fs from 'fs';
import * as path from 'path';
import { EMPTY, lastValueFrom, Observable, toArray } from 'rxjs';
import { csvStage } from './sources';
import type { StageContext } from '../../vocabulary/stage';
import type { Item } from '../../vocabulary/items';
import { validateDefinition } from '../../definition/validate';
import { cleanup, tempDir } from '../../testing/fixtures';

let dir: string;
beforeAll(() => {
  dir = tempDir();
  fs.writeFileSync(path.join(dir, 'r.csv'), 'text,label,score\nfine,good,1\nmeh,,\nbad,bad,3\n');
});
afterAll(() => cleanup(dir));

const context = (): StageContext => ({ baseDir: dir, runDir: null, seed: 0, name: 't', path: '/stages/0', artifacts: {}, emit: () => undefined });
const read = (options: Parameters<typeof csvStage.create>[0]): Promise<unknown[]> =>
  lastValueFrom((csvStage.create(options, context())(EMPTY) as Observable<Item<unknown>>).pipe(toArray())).then((items) => items.map((i) => i.value));

describe("the csv stage's column missing policy (the one the bad-value hint names)", () => {
  it('validates, and reads an empty field as the policy says', async () => {
    const columns = ['text', { name: 'label', missing: 'null' as const }, { name: 'score', type: 'number' as const, missing: 'nan' as const }];
    expect(validateDefinition({ name: 'x', stages: [{ stage: 'csv', path: 'r.csv', columns }, { stage: 'inline', items: [] }] }, { baseDir: dir }).filter((p) => p.path.startsWith('/stages/0/'))).toEqual([]);
    expect(await read({ path: 'r.csv', columns })).toEqual([
      { text: 'fine', label: 'good', score: 1 },
      { text: 'meh', label: null, score: NaN },
      { text: 'bad', label: 'bad', score: 3 },
    ]);
  });

  it("'error' makes an empty text field a bad row, which onBadRow: 'skip' drops; without a policy the hint names it", async () => {
    expect(await read({ path: 'r.csv', columns: ['text', { name: 'label', missing: 'error' }], onBadRow: 'skip' })).toEqual([
      { text: 'fine', label: 'good' },
      { text: 'bad', label: 'bad' },
    ]);
    await expect(read({ path: 'r.csv', columns: [{ name: 'score', type: 'number' }] })).rejects.toThrow(/line 3, column "score" .*give the column a missing policy \(missing: 'null' or 'nan'/);
  });

  it('refuses an unknown policy at validation', () => {
    const problems = validateDefinition({ name: 'x', stages: [{ stage: 'csv', path: 'r.csv', columns: [{ name: 'label', missing: 'drop' }] }] }, { baseDir: dir });
    expect(problems.map((p) => p.path)).toContain('/stages/0/columns/0/missing');
  });
});
