import * as fs from 'fs';
import * as path from 'path';
import type { PipelineDefinition } from '@loopflow/pipeline';

/** 40 made-up names, one per line (the same as pipeline's test fixture). */
export function writeNames(dir: string): void {
  const starts = ['an', 'be', 'ca', 'do', 'el', 'fi', 'ga', 'ha'];
  const ends = ['na', 'ra', 'lo', 'ny', 'tte'];
  const names: string[] = [];
  for (let i = 0; i < 40; i++) names.push(`${starts[i % starts.length]}${ends[(i * 3) % ends.length]}${i % 3 === 0 ? 'a' : ''}`);
  fs.writeFileSync(path.join(dir, 'names.txt'), `${names.join('\n')}\n`);
}

/** A tiny character LSTM over names.txt with a search block of `parameters` (`epochs` epochs, a checkpoint after each). */
export function searchDefinition(parameters: NonNullable<PipelineDefinition['search']>['parameters'], epochs = 1): PipelineDefinition {
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
      { stage: 'recurrent', cell: 'lstm', hiddenSize: 8, embeddingSize: 6 },
      { stage: 'train', epochs, optimizer: { kind: 'adam', lr: 0.02 }, clipGradNorm: 1 },
      { stage: 'evaluate' },
    ],
    search: { parameters },
  };
}
