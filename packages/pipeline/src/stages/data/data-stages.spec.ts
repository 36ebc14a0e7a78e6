import { from, lastValueFrom, Observable, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Sample } from '@loopflow/data';
import type { StageContext, StageDefinition } from '../../vocabulary/stage';
import type { Artifacts } from '../../vocabulary/artifacts';
import type { Item } from '../../vocabulary/items';
import type { PipelineEvent } from '../../vocabulary/events';
import { tokenizeStage, vocabularyStage, nextTokenStage, classifyStage } from './text';
import { textFieldStage, numericColumnsStage } from './fields';
import { bodyKey } from '@loopflow/datasets';
import { chronologicalSplitStage, groupKey, randomSplitStage } from './splits';
import { scaleStage, windowsStage } from './series';
import { batchStage } from './batching';
import type { PreparedData } from '../../vocabulary/prepared';

function context(artifacts: Artifacts = {}, events: PipelineEvent[] = []): StageContext {
  return { baseDir: '.', runDir: null, seed: 1, name: 't', path: '/stages/0', artifacts, emit: (e) => events.push(e) };
}
function apply<O>(stage: StageDefinition<O>, options: O, input: unknown[], ctx = context()): Promise<any[]> {
  return lastValueFrom((stage.create(options, ctx)(from(input)) as Observable<unknown>).pipe(toArray()));
}
const items = <V>(values: V[], split?: Item<V>['split']): Item<V>[] => values.map((value) => (split ? { value, split } : { value }));

describe('text stages', () => {
  it('tokenize maps each text as it comes (marbles), keeping split and label', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const source = cold('a-b|', { a: { value: 'Ab', split: 'train', label: 1 }, b: { value: 'c d' } });
      expectObservable(tokenizeStage.create({ tokenizer: 'char', lowerCase: true }, context())(source)).toBe('a-b|', {
        a: { value: ['a', 'b'], split: 'train', label: 1 },
        b: { value: ['c', ' ', 'd'] },
      });
    });
  });

  it('text-field picks the text and maps labels through the list (marbles); an unknown label errors the stream', async () => {
    const ctx = context();
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const source = cold('ab|', { a: { value: { body: 'hi', cat: 'spam' } }, b: { value: { body: 'yo', cat: 'ham' } } });
      expectObservable(textFieldStage.create({ field: 'body', label: 'cat', labels: ['ham', 'spam'] }, ctx)(source)).toBe('ab|', { a: { value: 'hi', label: 1 }, b: { value: 'yo', label: 0 } });
    });
    await expect(apply(textFieldStage, { field: 'body', label: 'cat', labels: ['ham', 'spam'] }, items([{ body: 'x', cat: 'eggs' }]))).rejects.toMatchObject({
      code: 'DATA_BAD_VALUE',
      message: 'text-field: record 0 has label "eggs", which is not in labels [ham, spam]; add it to labels or fix the data',
    });
    expect(ctx.artifacts.labels).toEqual(['ham', 'spam']);
  });

  it('text-field numbers string labels in sorted order without a list', async () => {
    const ctx = context();
    const out = await apply(textFieldStage, { field: 't', label: 'c' }, items([{ t: 'a', c: 'z' }, { t: 'b', c: 'k' }]), ctx);
    expect(out.map((i) => i.label)).toEqual([1, 0]);
    expect(ctx.artifacts.labels).toEqual(['k', 'z']);
  });

  it('vocabulary is fitted on the training split only: a token seen only in validation is unknown', async () => {
    const ctx = context({ tokenizer: { kind: 'char', lowerCase: false } });
    const out = await apply(vocabularyStage, {}, [...items([['a', 'b'], ['a']], 'train'), ...items([['z', 'a']], 'validation')], ctx);
    const v = ctx.artifacts.vocabulary!;
    expect(v.list()).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b']);
    expect(out.map((i) => i.value)).toEqual([[4, 5], [4], [1, 4]]);
    expect(out[2].split).toBe('validation');
  });

  it('next-token frames sequences with <bos>/<eos>, or cuts windows per split', async () => {
    const ctx = context();
    await apply(vocabularyStage, {}, items([['a', 'b', 'c']], 'train'), ctx); // a=4, b=5, c=6
    const seq = await apply(nextTokenStage, {}, items([[4, 5]], 'train'), ctx);
    expect(seq[0].value).toEqual({ kind: 'tokens', input: [2, 4, 5], target: [4, 5, 3] });
    const win = await apply(nextTokenStage, { mode: 'windows', length: 2 }, [...items([[4, 5], [6]], 'train'), ...items([[5, 6, 4]], 'test')], ctx);
    // train stream 4 5 3 6 3 -> windows [4,5]->[5,3], [3,6]->[6,3]; test stream 5 6 4 3 -> [5,6]->[6,4]
    expect(win.map((i) => [i.split, i.value.input, i.value.target])).toEqual([
      ['train', [4, 5], [5, 3]],
      ['train', [3, 6], [6, 3]],
      ['test', [5, 6], [6, 4]],
    ]);
    expect(() => nextTokenStage.create({ mode: 'windows' }, ctx)).toThrow(expect.objectContaining({ code: 'STAGE_OPTIONS', detail: expect.objectContaining({ path: '/length' }) }));
  });

  it('classify needs labels and cuts long sequences', async () => {
    const out = await apply(classifyStage, { maxLength: 2, keep: 'end' }, [{ value: [4, 5, 6], label: 1 }, { value: [], label: 0 }]);
    expect(out).toEqual([{ label: 1, value: { kind: 'labelled', input: [5, 6], label: 1 } }]);
    await expect(apply(classifyStage, {}, [{ value: [4] }])).rejects.toMatchObject({ code: 'DATA_BAD_VALUE' });
  });
});

describe('splits', () => {
  it('random-split tags items by seed, keeping stream order, with the requested sizes', async () => {
    const values = Array.from({ length: 100 }, (_, i) => i);
    const a = await apply(randomSplitStage, { validation: 0.2, test: 0.1 }, items(values));
    const b = await apply(randomSplitStage, { validation: 0.2, test: 0.1 }, items(values));
    expect(a).toEqual(b);
    expect(a.map((i) => i.value)).toEqual(values);
    const count = (s: string) => a.filter((i) => i.split === s).length;
    expect([count('train'), count('validation'), count('test')]).toEqual([70, 20, 10]);
    const c = await apply(randomSplitStage, { validation: 0.2, test: 0.1, seed: 99 }, items(values));
    expect(c.map((i) => i.split)).not.toEqual(a.map((i) => i.split));
  });

  it('random-split with groupDuplicates never puts equal texts in two parts', async () => {
    const texts = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? ' same ' : `t${i}`));
    const out = await apply(randomSplitStage, { groupDuplicates: true }, items(texts));
    expect(new Set(out.filter((i) => i.value.trim() === 'same').map((i) => i.split)).size).toBe(1);
  });

  it("groupDuplicates groups texts by @loopflow/datasets' bodyKey (written out in splits.ts, which a page bundles)", () => {
    for (const text of [' same ', 'same', '\tsame\n', 'a b', '', '  ']) expect(groupKey(text)).toBe(bodyKey(text));
    expect(groupKey({ a: 1 })).toBe('{"a":1}');
  });

  it('chronological-split keeps time order: train, then validation, then test', async () => {
    const out = await apply(chronologicalSplitStage, { validation: 0.2, test: 0.2 }, items([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    expect(out.map((i) => i.split)).toEqual(['train', 'train', 'train', 'train', 'train', 'train', 'validation', 'validation', 'test', 'test']);
    expect(() => chronologicalSplitStage.create({ validation: 0.6, test: 0.5 }, context())).toThrow(/leaves no training data/);
  });
});

describe('series stages', () => {
  it('scale fits on the training rows only and scales every split', async () => {
    const ctx = context();
    const out = await apply(scaleStage, { kind: 'minmax' }, [...items([[0], [10]], 'train'), ...items([[20]], 'test')], ctx);
    expect(out.map((i) => i.value)).toEqual([[0], [1], [2]]);
    expect(ctx.artifacts.scaler?.inverse([2])).toEqual([20]);
  });

  it('windows are cut per split: targets stay in their split, inputs may reach back (no look-ahead)', async () => {
    const ctx = context({ columns: ['v'] });
    const rows = [...items([[0], [1], [2], [3], [4], [5]], 'train'), ...items([[6], [7]], 'validation'), ...items([[8], [9]], 'test')];
    const out = await apply(windowsStage, { lookBack: 3, horizon: 1, targetColumns: ['v'] }, rows, ctx);
    const bySplit = (s: string) => out.filter((i) => i.split === s).map((i) => [i.value.input.flat(), i.value.target.flat()]);
    expect(bySplit('train')).toEqual([[[0, 1, 2], [3]], [[1, 2, 3], [4]], [[2, 3, 4], [5]]]);
    expect(bySplit('validation')).toEqual([[[3, 4, 5], [6]], [[4, 5, 6], [7]]]);
    expect(bySplit('test')).toEqual([[[5, 6, 7], [8]], [[6, 7, 8], [9]]]);
    expect(ctx.artifacts.series).toMatchObject({ lookBack: 3, horizon: 1, inputColumns: [0], targetColumns: [0], lastRows: [[7], [8], [9]] });
    await expect(apply(windowsStage, { lookBack: 2, targetColumns: ['w'] }, rows, context({ columns: ['v'] }))).rejects.toThrow(/targetColumns names "w"/);
  });

  it('numeric-columns reads numbers (and numeric text), and names the bad record', async () => {
    expect(await apply(numericColumnsStage, { columns: ['a', 'b'] }, items([{ a: 1, b: '2.5' }]))).toEqual([{ value: [1, 2.5] }]);
    await expect(apply(numericColumnsStage, { columns: ['a'] }, items([{ a: 1 }, { a: 'x' }]))).rejects.toThrow(/record 1 column 'a' is the string "x"/);
  });
});

describe('batch', () => {
  it('collects every split, sizes the model from the data, and reshuffles training batches per epoch', async () => {
    const events: PipelineEvent[] = [];
    const ctx = context({}, events);
    await apply(vocabularyStage, {}, items([['a', 'b', 'c']], 'train'), ctx);
    const samples: Item<Sample>[] = [];
    for (let i = 0; i < 10; i++) samples.push({ split: i < 7 ? 'train' : 'validation', value: { kind: 'tokens', input: [2, 4 + (i % 3)], target: [4 + (i % 3), 3] } });
    const [prepared] = (await apply(batchStage, { batchSize: 3 }, samples, ctx)) as PreparedData[];
    expect(prepared.task).toBe('language-model');
    expect(prepared.input).toEqual({ kind: 'tokens', vocabSize: 7 });
    expect(prepared.outputSize).toBe(7);
    expect([prepared.batchCount('train'), prepared.batchCount('validation'), prepared.batchCount('test')]).toEqual([3, 1, 0]);
    expect(events).toContainEqual({ type: 'data', task: 'language-model', samples: { train: 7, validation: 3, test: 0 }, batches: { train: 3, validation: 1, test: 0 } });
    const order = async (epoch: number) => (await lastValueFrom(prepared.batches('train', epoch).pipe(toArray()))).map((b) => Array.from(b.inputs.data).join());
    expect(await order(1)).toEqual(await order(1));
    expect(await order(1)).not.toEqual(await order(2));
    expect(() => batchStage.create({ batchSize: 2, bucketBoundaries: [4, 2] }, ctx)).toThrow(/must increase/);
  });

  it('counts the classes of 300k labelled samples (no Math.max spread: issue 16)', async () => {
    const ctx = context();
    await apply(vocabularyStage, {}, items([['a', 'b']], 'train'), ctx);
    const samples: Item<Sample>[] = Array.from({ length: 300_000 }, (_, i) => ({ split: 'train', value: { kind: 'labelled', input: [4], label: i === 5 ? 4 : i % 2 } }));
    const [prepared] = (await apply(batchStage, { batchSize: 100_000 }, samples, ctx)) as PreparedData[];
    expect(prepared.classes).toBe(5);
  });
});
