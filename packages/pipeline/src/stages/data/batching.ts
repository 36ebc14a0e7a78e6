import { Observable, OperatorFunction } from 'rxjs';
import { LoopflowError } from '@loopflow/tensor';
import type { Sample } from '@loopflow/data';
import { defineStage, StageOptionsError } from '../../vocabulary/stage';
import type { Item, SplitName } from '../../vocabulary/items';
import { SPLITS } from '../../vocabulary/items';
import { BatchingOptions, batchesOf, countBatches, makeBatches, ModelInputSpec, PreparedData, taskOf } from '../../vocabulary/prepared';
import { CompactSamples, SampleList } from '../../vocabulary/sample-list';

/** Options of `batch`. */
export interface BatchOptions {
  batchSize: number;
  shuffle?: boolean;
  bucketBoundaries?: number[];
  dropRemainder?: boolean;
}

/** `batch`: collects the samples of every split and batches them (padding + masks). */
export const batchStage = defineStage<BatchOptions>({
  name: 'batch',
  plugin: 'data',
  category: 'batch',
  summary: 'Collects the samples of every split and batches them: time-major, padded at the end, with masks.',
  description:
    'Training batches are reshuffled every epoch (seeded by the run seed and the epoch). `bucketBoundaries` groups samples of similar length so batches hold little padding.',
  input: ['samples'],
  output: 'batches',
  schema: {
    type: 'object',
    required: ['batchSize'],
    properties: {
      batchSize: { type: 'integer', minimum: 1, maximum: 1000000, description: 'Samples per batch.' },
      shuffle: { type: 'boolean', default: true, description: 'Shuffle the training samples every epoch.' },
      bucketBoundaries: {
        type: 'array',
        items: { type: 'integer', minimum: 1 },
        description: 'Increasing length bounds: batch samples of similar length together (e.g. [4, 6, 8, 12]).',
      },
      dropRemainder: { type: 'boolean', default: false, description: 'Drop a last training batch smaller than batchSize.' },
    },
  },
  example: { stage: 'batch', batchSize: 32 },
  create: (o, ctx): OperatorFunction<Item<Sample>, PreparedData> => {
    const bounds = o.bucketBoundaries ?? [];
    if (bounds.some((b, i) => i > 0 && b <= bounds[i - 1])) {
      throw new StageOptionsError('bucketBoundaries must increase', { path: '/bucketBoundaries', expected: 'increasing integers', found: JSON.stringify(bounds) });
    }
    const batching: BatchingOptions = { batchSize: o.batchSize, shuffle: o.shuffle ?? true, bucketBoundaries: o.bucketBoundaries, dropRemainder: o.dropRemainder ?? false };
    return (source) =>
      new Observable<PreparedData>((subscriber) => {
        // each split's samples, held compactly as they arrive (no array of every item)
        const samples = { train: new CompactSamples(), validation: new CompactSamples(), test: new CompactSamples() };
        return source.subscribe({
          next: (item) => samples[item.split ?? 'train'].push(item.value),
          error: (e) => subscriber.error(e),
          complete: () => {
            let prepared: PreparedData;
            try {
              for (const split of SPLITS) samples[split].trim();
              prepared = prepare(samples, batching, ctx.seed, ctx.artifacts);
              ctx.emit({
                type: 'data',
                task: prepared.task,
                samples: { train: samples.train.length, validation: samples.validation.length, test: samples.test.length },
                batches: Object.fromEntries(SPLITS.map((s) => [s, prepared.batchCount(s)])) as Record<SplitName, number>,
              });
            } catch (e) {
              subscriber.error(e);
              return;
            }
            subscriber.next(prepared);
            subscriber.complete();
          },
        });
      });
  },
});

/** Builds the prepared dataset (sizes, task) from the samples of each split. */
export function prepare(samples: Record<SplitName, SampleList>, batching: BatchingOptions, seed: number, artifacts: PreparedData['artifacts']): PreparedData {
  if (samples.train.length === 0) {
    throw new LoopflowError('DATA_EMPTY', 'batch: the training split holds no samples; check the source, the split fractions and the stage options (e.g. a window longer than the data)');
  }
  const kind = (samples.train.at(0) as Sample).kind;
  const task = taskOf(kind);
  let input: ModelInputSpec;
  let outputSize: number;
  let classes: number | undefined;
  let horizon: number | undefined;
  let targetFeatures: number | undefined;
  if (kind === 'series') {
    const first = samples.train.at(0) as Extract<Sample, { kind: 'series' }>;
    input = { kind: 'features', size: first.input[0].length };
    horizon = first.target.length;
    targetFeatures = first.target[0]?.length ?? 0;
    outputSize = horizon * targetFeatures;
  } else {
    const vocabulary = artifacts.vocabulary;
    if (!vocabulary) throw new LoopflowError('PIPELINE_ORDER', "batch: token samples need a vocabulary; put a 'vocabulary' stage before the samples are made");
    input = { kind: 'tokens', vocabSize: vocabulary.size };
    if (kind === 'tokens') outputSize = vocabulary.size;
    else {
      // a loop: Math.max(...labels) overflows the stack beyond ~120k samples
      classes = Math.max(2, artifacts.labels?.length ?? 0);
      for (const split of SPLITS) for (const s of samples[split] as SampleList<Extract<Sample, { kind: 'labelled' }>>) if (s.label + 1 > classes) classes = s.label + 1;
      outputSize = classes;
    }
  }
  const counts = new Map<SplitName, number>();
  return {
    task,
    samples,
    batching,
    seed,
    input,
    outputSize,
    classes,
    horizon,
    targetFeatures,
    artifacts,
    batches: (split, epoch = 0) => makeBatches(samples[split], batching, seed, split, epoch),
    batchIterable: (split, epoch = 0) => ({ [Symbol.iterator]: () => batchesOf(samples[split], batching, seed, split, epoch) }),
    batchCount: (split) => {
      if (!counts.has(split)) counts.set(split, samples[split].length === 0 ? 0 : countBatches(samples[split], batching, seed, split));
      return counts.get(split) as number;
    },
  };
}
