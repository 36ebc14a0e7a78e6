/**
 * What the docs test gives the documentation's code blocks before running them: the inputs a
 * block uses but does not make (an `x` of the right shape, a list of batches), kept short and
 * visible here. A block's text is run as it is, after its preamble and before its epilogue;
 * preambles import under `__` names so that they never collide with the block's own imports.
 *
 * Keys are block ids: a fence's `id=...`, else `<file>:<kind><n>` (the n-th TypeScript or JSON
 * block of the file). The test fails for a preamble whose block no longer exists.
 */

export interface Preamble {
  /** TypeScript run before the block (same module). */
  before?: string;
  /** TypeScript run after the block (same module), e.g. to call a handler the block installs. */
  after?: string;
  /** Why the block needs it (for the reader of the test). */
  why: string;
}

const TENSOR = `import * as __t from '@loopflow/tensor';\nconst __rng = new __t.Random(123);\n`;

export const PREAMBLES: Record<string, Preamble> = {
  'docs/browser.md:ts2': {
    why: 'a page fetches names.json and reads the editor; here: eight names and a two-epoch definition',
    before: `const __names = ['anna', 'bob', 'carla', 'dave', 'eve', 'frank', 'gina', 'hal', 'ida', 'jon', 'kim', 'lea'];
const fetch = async (_url: string) => ({ json: async (): Promise<any> => __names });
const editorText = JSON.stringify({ name: 'page-names', seed: 1, stages: [
  { stage: 'first-names' }, { stage: 'tokenize', tokenizer: 'char' }, { stage: 'random-split', validation: 0.2, test: 0.2 },
  { stage: 'vocabulary' }, { stage: 'next-token' }, { stage: 'batch', batchSize: 4 },
  { stage: 'recurrent', cell: 'lstm', hiddenSize: 8 }, { stage: 'train', epochs: 2, checkpoint: false }, { stage: 'evaluate' },
] });
`,
  },
  'docs/browser.md:ts3': {
    why: 'a Web Worker global scope: `self` with onmessage and postMessage; the test posts one message',
    before: `const self: { onmessage: ((event: { data: unknown }) => unknown) | null; postMessage(message: unknown): void } = {
  onmessage: null,
  postMessage: (message) => console.log(JSON.stringify(message)),
};
`,
    after: `Promise.resolve(self.onmessage?.({ data: 'start' })).then(() => process.exit(0));\n`,
  },
  'docs/feedback.md:ts1': {
    why: 'x: an input [T=6, B=2, 3]',
    before: `${TENSOR}const x = __t.normal(__rng, [6, 2, 3]);\n`,
  },
  'docs/feedback.md:ts2': {
    why: 'a definition (the one above in feedback.md) and batches of x [T, B, 3], y [T, B, 2]',
    before: `${TENSOR}const definition = {
  inputSize: 3,
  layers: [{ name: 'h1', size: 16, cell: 'rnn_tanh' as const }, { name: 'h2', size: 8, cell: 'lstm' as const }, { name: 'out', size: 2, cell: 'linear' as const }],
  feedback: [{ kind: 'indirect' as const, from: 'out', to: 'h1' }, { kind: 'direct' as const, layer: 'h2' }],
};
const batches = [0, 1, 2].map(() => ({ x: __t.normal(__rng, [8, 4, 3]), y: __t.normal(__rng, [8, 4, 2]) }));
`,
  },
  'docs/feedback.md:ts3': {
    why: 'the network, optimizer and a sequence x [100, B=2, 3], y [100, 2, 2] of the training block above it',
    before: `${TENSOR}import * as __cells from '@loopflow/cells';
import * as __layers from '@loopflow/layers';
import * as __opt from '@loopflow/optimizers';
const net = __cells.createFeedbackNetwork(new __t.Random(0), {
  inputSize: 3,
  layers: [{ name: 'h1', size: 16, cell: 'rnn_tanh' }, { name: 'out', size: 2, cell: 'linear' }],
  feedback: [{ kind: 'indirect', from: 'out', to: 'h1' }],
});
const optimizer = __opt.adam(__layers.parameters(net), { lr: 0.03 });
const x = __t.normal(__rng, [100, 2, 3]);
const y = __t.normal(__rng, [100, 2, 2]);
`,
  },
  'packages/cli/README.md:ts1': {
    why: 'a pipeline.json in the working folder: the CO2 example cut to 2 epochs',
    before: `const __co2 = JSON.parse(require('fs').readFileSync('examples/co2-forecast/pipeline.json', 'utf8'));
__co2.stages.find((s: { stage: string }) => s.stage === 'train').epochs = 2;
require('fs').writeFileSync('pipeline.json', JSON.stringify(__co2));
`,
  },
  'packages/benchmark/README.md:ts1': {
    why: 'the command line of a script run as `npx ts-node compare.ts --tiny ...`: the smallest comparison, into a temporary folder',
    before: `process.argv.splice(2, process.argv.length, '--tiny', '--tasks', 'adding', '--models', 'rnn', '--seeds', '1', '--inline', '--out', require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'doc-compare-')));\n`,
  },
  'packages/cells/README.md:ts1': {
    why: 'x [T=12, B=3, 8] with lengths, a target [T, B, 32], the next chunk x2',
    before: `${TENSOR}const T = 12;
const x = __t.normal(__rng, [T, 3, 8]);
const lengths = [12, 9, 5];
const target = __t.normal(__rng, [T, 3, 32]);
const x2 = __t.normal(__rng, [T, 3, 8]);
`,
  },
  'packages/cells/README.md:ts2': {
    why: 'the LSTM of the example above it (one-hot input of 8), a prompt of token ids, a feature vector',
    before: `${TENSOR}import * as __cells from '@loopflow/cells';
const lstm = __cells.createLSTM(new __t.Random(0), { inputSize: 8, hiddenSize: 32, numLayers: 2 });
const prompt = [1, 4, 2, 7];
const features = new Float32Array(8).fill(0.5);
`,
  },
  'packages/cells/README.md:ts3': {
    why: 'x [T=7, B=2, 3] and lengths',
    before: `${TENSOR}const x = __t.normal(__rng, [7, 2, 3]);\nconst lengths = [7, 4];\n`,
  },
  'packages/losses/README.md:ts1': {
    why: 'logits [B=2, T=5, V=7] with target ids and a padding mask; a forecast and the truth [2, 3, 1]',
    before: `${TENSOR}const logits = __t.normal(__rng, [2, 5, 7], 0, 1, { requiresGrad: true });
const targetIds = [1, 2, 3, 0, 0, 4, 5, 6, 2, 0];
const paddingMask = __t.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 0]]);
const forecast = __t.normal(__rng, [2, 3, 1]);
const truth = __t.normal(__rng, [2, 3, 1]);
`,
  },
  'packages/optimizers/README.md:ts1': {
    why: 'params of a linear model, ten batches, and lossOf(batch) (mean squared error)',
    before: `${TENSOR}const params = [__t.normal(__rng, [3, 1], 0, 1, { requiresGrad: true })];
const batches = Array.from({ length: 10 }, () => ({ x: __t.normal(__rng, [4, 3]), y: __t.normal(__rng, [4, 1]) }));
const lossOf = (b: { x: __t.Tensor; y: __t.Tensor }) => __t.mean(__t.pow(__t.sub(__t.matmul(b.x, params[0]), b.y), 2));
`,
  },
  'packages/training/README.md:ts1': {
    why: 'V symbols, the training and validation texts, makeBatches(texts) giving one-hot batches [T=35, B=2, V]',
    before: `${TENSOR}const V = 5;
const trainText = ['abcdeabcde', 'edcbaedcba', 'aabbccddee', 'abababcdcd'];
function makeBatches(texts: string[]): { inputs: __t.Tensor; targets: __t.Tensor }[] {
  const ids = texts.join('').repeat(2).split('').map((c) => c.charCodeAt(0) - 97); // 80 ids
  const T = 35;
  const step = (t: number, b: number) => ids[(b * 36 + t) % ids.length];
  const inputs = __t.reshape(__t.oneHot(Array.from({ length: T * 2 }, (_, i) => step(Math.floor(i / 2), i % 2)), V), [T, 2, V]);
  const targets = __t.tensor(Array.from({ length: T }, (_, t) => [step(t + 1, 0), step(t + 1, 1)]));
  return [{ inputs, targets }];
}
const validBatches = makeBatches(['edcba']);
`,
  },
};

/**
 * JSON blocks: the data files a definition reads (written into its folder before it is validated
 * or run), and for a block that is one stage, the definition it is validated in (`"$block"`
 * stands for the stage).
 */
export interface JsonPreamble {
  why: string;
  files?: Record<string, string>;
  host?: unknown;
}

const corpus = Array.from({ length: 400 }, (_, i) => `line ${i}: the quick brown fox jumps over the lazy dog.`).join('\n');
const prices = ['date,close', ...Array.from({ length: 120 }, (_, i) => `2020-01-${String((i % 28) + 1).padStart(2, '0')},${(100 + Math.sin(i / 5) * 10).toFixed(2)}`)].join('\n');

export const JSON_PREAMBLES: Record<string, JsonPreamble> = {
  'docs/pipelines.md:json2': {
    why: 'one csv stage: validated as the source of a small forecasting definition over a generated data/prices.csv',
    files: { 'data/prices.csv': prices },
    host: {
      name: 'doc-csv',
      stages: [
        '$block',
        { stage: 'numeric-columns', columns: ['close'] },
        { stage: 'chronological-split', validation: 0.1, test: 0.1 },
        { stage: 'scale' },
        { stage: 'windows', lookBack: 8, horizon: 1 },
        { stage: 'batch', batchSize: 8 },
        { stage: 'recurrent', cell: 'gru', hiddenSize: 8 },
        { stage: 'train', epochs: 1 },
      ],
    },
  },
  'docs/pipelines.md:json5': {
    why: 'data/corpus.txt: 400 generated lines',
    files: { 'data/corpus.txt': corpus },
  },
  'docs/pipelines.md:json6': {
    why: 'one feedback model stage: validated as the model of a small names definition',
    host: {
      name: 'doc-feedback',
      stages: [
        { stage: 'first-names', limit: 200 },
        { stage: 'tokenize', tokenizer: 'char' },
        { stage: 'random-split' },
        { stage: 'vocabulary' },
        { stage: 'next-token' },
        { stage: 'batch', batchSize: 32 },
        '$block',
        { stage: 'train', epochs: 1 },
      ],
    },
  },
};

/**
 * How a `json runnable` definition is shrunk before it runs (the test applies these overrides,
 * by stage, through runPipeline's `overrides`): one epoch, a few hundred items of a dataset, at
 * most 32 hidden units and 32-step windows (truncated BPTT cut to fit), short classified texts, a
 * few short samples. Everything else runs as written.
 */
const min = (value: unknown, limit: number): number => Math.min(Number(value ?? limit), limit);
export const SHRINK: Record<string, (options: Record<string, unknown>) => Record<string, unknown>> = {
  'first-names': () => ({ limit: 300 }),
  'spam-assassin': () => ({ limit: 120 }),
  train: (o) => ({ epochs: 1, ...(o.bptt ? { bptt: { stepsPerUpdate: 8, stepsBackward: 16 } } : {}) }),
  recurrent: (o) => ({ hiddenSize: min(o.hiddenSize, 32) }),
  'next-token': (o) => (o.mode === 'windows' ? { length: min(o.length, 32) } : {}),
  classify: (o) => ({ maxLength: min(o.maxLength, 50) }),
  samples: (o) => ({ count: 3, maxLength: min(o.maxLength, 20) }),
};
