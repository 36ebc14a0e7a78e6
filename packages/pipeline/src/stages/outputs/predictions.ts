import { tap, OperatorFunction } from 'rxjs';
import { argmax, noGrad, softmax, Tensor } from '@loopflow/tensor';
import { Batch, charTokenizer, Sample, SeriesSample, tokenizerFromJSON } from '@loopflow/data';
import { defineStage } from '../../vocabulary/stage';
import type { EvaluatedBundle } from '../../vocabulary/bundle';
import type { SplitName } from '../../vocabulary/items';
import { OUTPUT_FILE_SCHEMA } from '../common/paths';
import { orderedBatches, seriesInOriginalUnits } from '../../series/original-units';
import { writeFileAtomic } from '../../run-folder/atomic';
import { filePaths } from '../../platform/node';

/** Options of the `predictions` output. */
export interface PredictionsOptions {
  split?: SplitName;
  file?: string;
  limit?: number;
}

function column(values: Float64Array, b: number, B: number, width: number, steps: number): number[][] {
  const out: number[][] = [];
  for (let h = 0; h < steps; h++) out.push(Array.from(values.subarray((h * B + b) * width, (h * B + b + 1) * width)));
  return out;
}

/** One JSON record per sample of a split: the model's prediction next to the truth. */
export function predictionRecords(bundle: EvaluatedBundle, split: SplitName, limit: number): Record<string, unknown>[] {
  const { data, model } = bundle;
  const { vocabulary, tokenizer, labels } = data.artifacts;
  const tok = tokenizer ? tokenizerFromJSON(tokenizer) : charTokenizer();
  const text = (ids: readonly number[]): string => (vocabulary ? tok.detokenize(vocabulary.decode(ids, { skipSpecials: true })) : ids.join(' '));
  const samples = data.samples[split].slice(0, limit) as Sample[];
  const records: Record<string, unknown>[] = [];
  // in sample order (not shuffled, not bucketed): batch column b is samples[index]
  const batches: Batch[] = orderedBatches(data, split, limit);
  noGrad(() => {
    let index = 0;
    for (const batch of batches) {
      const { output } = model.forward(batch, undefined, { training: false });
      const B = batch.size;
      const likeliest = data.task === 'forecast' ? undefined : argmax(output, -1).data; // [B] or [T, B]
      const probabilities = data.task === 'classification' ? softmax(output, -1) : undefined; // [B, C]
      for (let b = 0; b < B && index < samples.length; b++, index++) {
        const sample = samples[index];
        if (data.task === 'classification') {
          const C = output.shape[1];
          const predicted = (likeliest as ArrayLike<number>)[b];
          const label = (sample as Extract<Sample, { kind: 'labelled' }>).label;
          const p = Array.from((probabilities as Tensor).data.subarray(b * C, (b + 1) * C));
          records.push({ index, text: text(sample.input as number[]), label: labels?.[label] ?? label, predicted: labels?.[predicted] ?? predicted, probabilities: p });
        } else if (data.task === 'forecast') {
          const Ft = output.shape[2];
          const H = output.shape[0];
          const these = samples.slice(index - b, index - b + B) as SeriesSample[];
          records.push({
            index: (sample as SeriesSample).index,
            predicted: column(seriesInOriginalUnits(data.artifacts, output, these), b, B, Ft, H),
            actual: column(seriesInOriginalUnits(data.artifacts, batch.targets, these), b, B, Ft, H),
          });
        } else {
          const best: number[] = [];
          for (let t = 0; t < batch.lengths[b]; t++) best.push((likeliest as ArrayLike<number>)[t * B + b]);
          records.push({ index, input: text(sample.input as number[]), target: text((sample as Extract<Sample, { kind: 'tokens' }>).target as number[]), predicted: text(best) });
        }
      }
    }
  });
  return records;
}

/** `predictions`: writes the model's predictions on a split next to the truth, as JSON lines. */
export const predictionsStage = defineStage<PredictionsOptions>({
  name: 'predictions',
  plugin: 'pipeline',
  category: 'output',
  summary: "Writes the model's predictions on a split next to the truth (JSON lines in the run folder).",
  description: 'Classification: text, label, predicted class and probabilities. Forecasting: predicted and actual rows in the original units. Language models: input, target and the likeliest next tokens.',
  input: ['evaluation'],
  output: 'evaluation',
  schema: {
    type: 'object',
    properties: {
      split: { enum: ['train', 'validation', 'test'], default: 'test', description: 'The split whose predictions are written.' },
      file: { ...OUTPUT_FILE_SCHEMA, default: 'predictions.jsonl' },
      limit: { type: 'integer', minimum: 1, default: 1000, description: 'At most this many samples.' },
    },
  },
  example: { stage: 'predictions', split: 'test' },
  create: (o, ctx): OperatorFunction<EvaluatedBundle, EvaluatedBundle> =>
    tap((bundle) => {
      if (!ctx.runDir) return;
      const split = o.split ?? 'test';
      const file = o.file ?? 'predictions.jsonl';
      const records = predictionRecords(bundle, split, o.limit ?? 1000);
      writeFileAtomic(filePaths().join(ctx.runDir, file), records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
      ctx.emit({ type: 'output', file, what: `${records.length} predictions on the ${split} split` });
    }),
});
