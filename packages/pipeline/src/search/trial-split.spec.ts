import { from, lastValueFrom, toArray } from 'rxjs';
import { planTrials } from '../definition/search-space';
import { dryContext } from '../definition/validate';
import { randomSplitStage } from '../stages/data/splits';
import type { Item } from '../vocabulary/items';
import { namesDefinition } from '../testing/fixtures';
import type { PipelineDefinition } from '../definition/types';

/** The indices of the items a trial's random-split puts in validation (100 items). */
async function validationOf(definition: PipelineDefinition): Promise<number[]> {
  const ctx = dryContext(definition, '.', 2, undefined);
  const operator = randomSplitStage.create({ validation: 0.2, test: 0.2 }, ctx);
  const items: Item<number>[] = Array.from({ length: 100 }, (_, i) => ({ value: i }));
  const tagged = (await lastValueFrom(from(items).pipe(operator, toArray()))) as Item<number>[];
  return tagged.filter((item) => item.split === 'validation').map((item) => item.value);
}

describe('the trials of a search see one split', () => {
  it("each trial has its own seed but the definition's dataSeed, so random-split gives every trial the same validation items", async () => {
    const { trials } = planTrials(namesDefinition({ seed: 11, search: { parameters: { 'recurrent.hiddenSize': { values: [4, 8, 16] } } } }));
    expect(new Set(trials.map((t) => t.definition.seed)).size).toBe(3);
    expect(trials.map((t) => t.definition.dataSeed)).toEqual([11, 11, 11]);
    const splits = await Promise.all(trials.map((t) => validationOf(t.definition)));
    expect(splits[0]).toHaveLength(20);
    expect(splits[1]).toEqual(splits[0]);
    expect(splits[2]).toEqual(splits[0]);
    // the same split a plain run of the definition uses (dataSeed defaults to seed)
    expect(await validationOf(namesDefinition({ seed: 11 }))).toEqual(splits[0]);
  });

  it('a searched seed or dataSeed is the value set; searching dataSeed does move the split', async () => {
    const bySeed = planTrials(namesDefinition({ seed: 2, search: { parameters: { seed: { values: [5, 6] } } } })).trials;
    expect(bySeed.map((t) => [t.definition.seed, t.definition.dataSeed])).toEqual([[5, 2], [6, 2]]);
    const byDataSeed = planTrials(namesDefinition({ seed: 2, search: { parameters: { dataSeed: { values: [5, 6] } } } })).trials;
    expect(byDataSeed.map((t) => t.definition.dataSeed)).toEqual([5, 6]);
    const [a, b] = await Promise.all(byDataSeed.map((t) => validationOf(t.definition)));
    expect(a).not.toEqual(b);
  });
});
