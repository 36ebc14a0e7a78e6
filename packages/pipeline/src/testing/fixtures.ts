import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { PipelineDefinition } from '../definition/types';
import { parseDefinition } from '../definition/load';
import { DefinitionError, DefinitionProblem } from '../definition/problems';

/** A temporary folder for a test (removed by `cleanup`). */
export function tempDir(prefix = 'loopflow-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Removes a temporary folder. */
export function cleanup(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** 40 made-up names (deterministic), one per line. */
export function writeNames(dir: string, file = 'names.txt'): string {
  const starts = ['an', 'be', 'ca', 'do', 'el', 'fi', 'ga', 'ha'];
  const ends = ['na', 'ra', 'lo', 'ny', 'tte'];
  const names: string[] = [];
  for (let i = 0; i < 40; i++) names.push(`${starts[i % starts.length]}${ends[(i * 3) % ends.length]}${i % 3 === 0 ? 'a' : ''}`);
  fs.writeFileSync(path.join(dir, file), `${names.join('\n')}\n`);
  return file;
}

/** A CSV of 48 short reviews labelled 'good' / 'bad' by the word they contain. */
export function writeReviews(dir: string, file = 'reviews.csv'): string {
  const rows = ['text,label'];
  const fillers = ['the film', 'this book', 'our trip', 'the meal', 'that song', 'his talk'];
  for (let i = 0; i < 48; i++) {
    const good = i % 2 === 0;
    rows.push(`${fillers[i % fillers.length]} was ${good ? 'great fun' : 'dull and slow'},${good ? 'good' : 'bad'}`);
  }
  fs.writeFileSync(path.join(dir, file), `${rows.join('\n')}\n`);
  return file;
}

/** A CSV of a noisy-free sine wave around 100 (120 rows: t, value). */
export function writeSeries(dir: string, file = 'series.csv'): string {
  const rows = ['t,value'];
  for (let t = 0; t < 120; t++) rows.push(`${t},${(100 + 10 * Math.sin((2 * Math.PI * t) / 12)).toFixed(4)}`);
  fs.writeFileSync(path.join(dir, file), `${rows.join('\n')}\n`);
  return file;
}

/** A small character language model over the names file. */
export function namesDefinition(overrides: Partial<PipelineDefinition> = {}): PipelineDefinition {
  return {
    name: 'names',
    seed: 7,
    stages: [
      { stage: 'lines', path: 'names.txt' },
      { stage: 'tokenize', tokenizer: 'char' },
      { stage: 'random-split', validation: 0.2, test: 0.2 },
      { stage: 'vocabulary' },
      { stage: 'next-token' },
      { stage: 'batch', batchSize: 8 },
      { stage: 'recurrent', cell: 'lstm', hiddenSize: 12, embeddingSize: 6 },
      { stage: 'train', epochs: 3, optimizer: { kind: 'adam', lr: 0.02 }, clipGradNorm: 1 },
      { stage: 'evaluate' },
      { stage: 'samples', count: 3, maxLength: 12 },
    ],
    ...overrides,
  };
}

/** Sequence classification of the reviews file. */
export function reviewsDefinition(model: Record<string, unknown> = { stage: 'recurrent', cell: 'gru', hiddenSize: 8, embeddingSize: 6 }): PipelineDefinition {
  return {
    name: 'reviews',
    seed: 3,
    stages: [
      { stage: 'csv', path: 'reviews.csv' },
      { stage: 'text-field', field: 'text', label: 'label', labels: ['bad', 'good'] },
      { stage: 'tokenize', tokenizer: 'word' },
      { stage: 'random-split', validation: 0.25, test: 0.25 },
      { stage: 'vocabulary' },
      { stage: 'classify' },
      { stage: 'batch', batchSize: 8 },
      model as { stage: string },
      { stage: 'train', epochs: 4, optimizer: { kind: 'adam', lr: 0.05 } },
      { stage: 'evaluate' },
      { stage: 'predictions', split: 'test' },
    ],
  };
}

/** One-step forecasting of the sine series. */
export function seriesDefinition(model: Record<string, unknown> = { stage: 'recurrent', cell: 'rnn', hiddenSize: 8 }): PipelineDefinition {
  return {
    name: 'sine',
    seed: 5,
    stages: [
      { stage: 'csv', path: 'series.csv', columns: [{ name: 'value', type: 'number' }] },
      { stage: 'numeric-columns', columns: ['value'] },
      { stage: 'chronological-split', validation: 0.2, test: 0.2 },
      { stage: 'scale', kind: 'standard' },
      { stage: 'windows', lookBack: 6, horizon: 1 },
      { stage: 'batch', batchSize: 16 },
      model as { stage: string },
      { stage: 'train', epochs: 3, optimizer: { kind: 'adam', lr: 0.02 } },
      { stage: 'evaluate' },
      { stage: 'forecast', steps: 4 },
    ],
  };
}

/** The definition as file text (pretty JSON). */
export function definitionText(definition: unknown): string {
  return `${JSON.stringify(definition, null, 2)}\n`;
}

/** The problems of a definition text read as `p.json` in `dir` (with positions); [] when it is valid. */
export function problemsOfText(dir: string, text: string): DefinitionProblem[] {
  try {
    parseDefinition(text, { baseDir: dir, file: 'p.json' });
  } catch (e) {
    if (e instanceof DefinitionError) return e.problems;
    throw e;
  }
  return [];
}
