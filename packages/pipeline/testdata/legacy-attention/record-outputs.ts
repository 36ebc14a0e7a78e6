/**
 * Records a run folder's logits for fixed token ids: `outputs.json` beside the run's files.
 * Run with the loopflow that wrote the folder (here, the one from before attention took
 * PyTorch's layout), so the test can check that today's loopflow loads the old folder and
 * computes the same thing. Public API only, so it runs against either version:
 *
 *     cd <checkout> && node -r ts-node/register/transpile-only -r tsconfig-paths/register \
 *       <this file> <run folder>
 */
import * as fs from 'fs';
import * as path from 'path';
import { collate } from '@loopflow/data';
import { loadModel } from '@loopflow/pipeline';

const runDir = process.argv[2];
const { model } = loadModel(runDir);
const sequences = [[2, 9, 9, 15, 13, 4], [2, 13, 10, 20, 11, 15]]; // <bos> then characters
const batch = collate(sequences.map((s) => ({ kind: 'tokens' as const, input: s, target: s }))); // inputs [T, B]
const { output } = model.forward(batch, undefined, { training: false }); // [T, B, V]
fs.writeFileSync(path.join(runDir, 'outputs.json'), JSON.stringify({ about: 'logits [T, B, V] of this run folder for the sequences (batch of 2, time-major), written by record-outputs.ts with the loopflow that made the folder', sequences, logits: { shape: output.shape, data: Array.from(output.data) } }) + '\n');
