/**
 * What a user's project does with loopflow's packed packages, written out as files for the
 * packaging spec: a char-LSTM trained for 20 steps through the public APIs (once as an ES
 * module, once through `require`), a strict TypeScript file, and a small pipeline definition
 * that reads a CSV file.
 */

/** The packages the training script imports. */
export const TRAINING_PACKAGES = ['tensor', 'layers', 'cells', 'losses', 'optimizers'] as const;

const NAMES = {
  tensor: ['Random', 'getBackendName', 'oneHot', 'reshape'],
  layers: ['createLinear', 'linear', 'parameters'],
  cells: ['createLSTM', 'runRecurrent', 'fusedKernelsAvailable'],
  losses: ['crossEntropy'],
  optimizers: ['adam'],
} as const;

/**
 * The training itself, the same text in both module systems: a one-hot character input
 * `[T, B, V]`, an LSTM of 32 units, a Linear head to V logits, mean cross-entropy over every
 * position, Adam. Prints one JSON line: the backend, whether the fused kernels ran, the losses.
 */
const TRAINING_BODY = `
const text = 'the quick brown fox jumps over the lazy dog; a quick brown dog naps. '.repeat(8);
const symbols = [...new Set(text)].sort();
const V = symbols.length;
const T = 16;
const B = 8;
const ids = [...text].map((ch) => symbols.indexOf(ch));
const rng = new Random(7);
const lstm = createLSTM(rng, { inputSize: V, hiddenSize: 32 });
const head = createLinear(rng, 32, V);
const optimizer = adam(parameters({ lstm, head }), { lr: 0.03 });

/** Batch b of step k: T characters from a fixed offset, time-major; targets are the next characters. */
function batch(k) {
  const inputs = [];
  const targets = [];
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const start = (b * 37 + k * 11) % (ids.length - T - 1);
      inputs.push(ids[start + t]);
      targets.push(ids[start + t + 1]);
    }
  }
  return { x: reshape(oneHot(inputs, V), [T, B, V]), targets };
}

const losses = [];
for (let step = 0; step < 20; step++) {
  const { x, targets } = batch(step % 4);
  optimizer.zeroGrad();
  const { output } = runRecurrent(lstm, x); // [T, B, 32]
  const loss = crossEntropy(linear(head, output), targets); // mean over T * B
  loss.backward();
  optimizer.step();
  losses.push(loss.data[0]);
}
console.log(JSON.stringify({ backend: getBackendName(), fused: fusedKernelsAvailable(), losses }));
`;

/** The training script as an ES module (`train.mjs`). */
export function esmTrainingScript(): string {
  const imports = TRAINING_PACKAGES.map((p) => `import { ${NAMES[p].join(', ')} } from '@loopflow/${p}';`).join('\n');
  return `${imports}\n${TRAINING_BODY}`;
}

/** The training script as CommonJS (`train.cjs`). */
export function commonJsTrainingScript(): string {
  const requires = TRAINING_PACKAGES.map((p) => `const { ${NAMES[p].join(', ')} } = require('@loopflow/${p}');`).join('\n');
  return `'use strict';\n${requires}\n${TRAINING_BODY}`;
}

/**
 * A strict TypeScript file against the shipped declarations. The `@ts-expect-error` lines make
 * the check able to fail: if the declarations were missing or typed `any`, those lines would
 * be errors ("unused directive").
 */
export const TYPED_FILE = `
import { Random, Tensor, tensor, matmul } from '@loopflow/tensor';
import { createLinear, linear } from '@loopflow/layers';
import { createGRU, runRecurrent } from '@loopflow/cells';
import type { RecurrentModule } from '@loopflow/cells';
import { mseLoss } from '@loopflow/losses';
import { sgd } from '@loopflow/optimizers';
import { validateDefinition } from '@loopflow/pipeline';

const rng = new Random(1);
const gru: RecurrentModule = createGRU(rng, { inputSize: 3, hiddenSize: 4 });
const x: Tensor = tensor([[[1, 2, 3]], [[4, 5, 6]]]); // [T=2, B=1, 3]
const { output } = runRecurrent(gru, x);
const y: Tensor = linear(createLinear(rng, 4, 1), output);
const loss: Tensor = mseLoss(y, tensor([[[0]], [[1]]]));
const shape: readonly number[] = matmul(x, tensor([[1], [0], [0]])).shape;
sgd([], { lr: 0.1 });
const problems = validateDefinition({ name: 'x', stages: [] });
const count: number = problems.length;
// @ts-expect-error: hiddenSize must be a number
createGRU(rng, { inputSize: 3, hiddenSize: 'four' });
// @ts-expect-error: runRecurrent takes a module first
runRecurrent(x, gru);
export { loss, shape, count };
`;

/** tsconfig.json of the consumer: strict, Node's module resolution, declarations checked too. */
export const TSCONFIG = JSON.stringify(
  {
    compilerOptions: {
      strict: true,
      noEmit: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      skipLibCheck: false,
      types: ['node'],
    },
    files: ['check.ts'],
  },
  null,
  2,
);

/** The CSV definition with a grid search over the learning rate: two trials on two workers. */
export function csvSearchDefinition(): string {
  const definition = JSON.parse(CSV_DEFINITION);
  definition.name = 'csv-forecast-search';
  definition.search = { method: 'grid', seed: 1, parallel: 2, metric: 'validation.loss', parameters: { 'train.optimizer.lr': { values: [0.003, 0.01] } } };
  return JSON.stringify(definition, null, 2);
}

/** A series with a trend and a season, as a CSV file with a header. */
export function seriesCsv(): string {
  const lines = ['month,value'];
  for (let i = 0; i < 240; i++) lines.push(`${i},${(Math.sin(i / 6) * 3 + 0.01 * i).toFixed(4)}`);
  return lines.join('\n') + '\n';
}

/** A small forecasting definition reading `data/series.csv`: an LSTM of 8 units, 2 epochs. */
export const CSV_DEFINITION = JSON.stringify(
  {
    name: 'csv-forecast',
    seed: 1,
    stages: [
      { stage: 'csv', path: 'data/series.csv', columns: ['month', { name: 'value', type: 'number' }] },
      { stage: 'numeric-columns', columns: ['value'] },
      { stage: 'chronological-split', validation: 0.1, test: 0.1 },
      { stage: 'scale', kind: 'standard' },
      { stage: 'windows', lookBack: 12, horizon: 1 },
      { stage: 'batch', batchSize: 16 },
      { stage: 'recurrent', cell: 'lstm', hiddenSize: 8 },
      { stage: 'train', epochs: 2, loss: 'mse', optimizer: { kind: 'adam', lr: 0.01 } },
      { stage: 'evaluate' },
    ],
  },
  null,
  2,
);
