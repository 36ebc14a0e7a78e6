import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Random, Tensor, tensor, uniform } from '@loopflow/tensor';
import { parameters } from '@loopflow/layers';
import type { Batch } from '@loopflow/data';
import { buildModel, loadModel, saveModel } from '@loopflow/pipeline';
import { main } from '../main';
import { fakeIO } from '../testing';

// `loopflow export RUN_FOLDER --onnx FILE` on a run folder of every model family a pipeline
// trains: the file, loaded into ONNX Runtime, gives the model's own forward (max abs <= 1e-5).

/** ONNX Runtime in a child process (@loopflow/onnx's test runner: its typed arrays fail instanceof checks inside jest). */
const ORT_RUNNER = path.resolve(__dirname, '../../../onnx/src/testing/run-onnx.cjs');
type Feed = { type: string; dims: number[]; data: number[] };
type Reply = { error?: string; inputNames: string[]; outputNames: string[]; runs: Record<string, Feed>[] };

function runOnnx(jobs: { file: string; feeds: Record<string, Feed> }[]): Reply[] {
  const request = { models: jobs.map((job) => ({ model: fs.readFileSync(job.file).toString('base64'), runs: [job.feeds] })) };
  return JSON.parse(execFileSync(process.execPath, [ORT_RUNNER], { input: JSON.stringify(request), maxBuffer: 256 * 1024 * 1024 }).toString('utf8'));
}

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-export-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Description = Parameters<typeof buildModel>[0];

/** A run folder holding a fresh model (weights saved as a run saves them). */
function runFolder(name: string, description: Description, damage: (model: ReturnType<typeof buildModel>) => void = () => undefined): string {
  const runDir = path.join(dir, name);
  fs.mkdirSync(runDir);
  const model = buildModel(description, new Random(name.length + 11));
  for (const p of parameters(model.modules)) for (let i = 0; i < p.data.length; i++) p.data[i] += 0.05 * Math.sin(i + p.data.length); // biases and norms non-trivial
  damage(model);
  saveModel(runDir, name, model, {});
  return name;
}

async function exportRun(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = fakeIO(dir);
  const code = await main(['export', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

const T = 5;
const B = 3;
const LENGTHS = [5, 2, 4];

/** A padded time-major batch: token ids [T, B] (pad 0) or features [T, B, F] (zeros at padding). */
function batchOf(description: Description, rng: Random): Batch {
  const mask = new Float32Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) mask[t * B + b] = t < LENGTHS[b] ? 1 : 0;
  let inputs: Tensor;
  if (description.input.kind === 'tokens') {
    const vocab = description.input.vocabSize;
    inputs = tensor(Array.from(mask, (m) => (m ? 1 + Math.floor(rng.uniform(0, vocab - 1)) : 0)), [T, B]);
  } else {
    const F = description.input.size;
    const x = uniform(rng, [T, B, F], -1, 1);
    for (let i = 0; i < x.data.length; i++) if (!mask[Math.floor(i / F)]) x.data[i] = 0;
    inputs = x;
  }
  return { kind: description.input.kind === 'tokens' ? 'tokens' : 'series', inputs, targets: inputs, mask: new Tensor(mask, [T, B]), lengths: LENGTHS, size: B } as unknown as Batch;
}

const tokens = (vocabSize: number) => ({ kind: 'tokens' as const, vocabSize });
const features = (size: number) => ({ kind: 'features' as const, size });
const MODELS: [string, Description][] = [
  ['lstm-lm-embedding', { kind: 'recurrent', task: 'language-model', options: { cell: 'lstm', hiddenSize: 6, numLayers: 2, embeddingSize: 4 }, input: tokens(7), outputSize: 7 }],
  ['gru-lm-one-hot', { kind: 'recurrent', task: 'language-model', options: { cell: 'gru', hiddenSize: 5 }, input: tokens(6), outputSize: 6 }],
  ['bigru-classify-mean', { kind: 'recurrent', task: 'classification', options: { cell: 'gru', hiddenSize: 4, numLayers: 2, bidirectional: true, embeddingSize: 3, pooling: 'mean' }, input: tokens(9), outputSize: 3 }],
  ['bilstm-classify-last', { kind: 'recurrent', task: 'classification', options: { cell: 'lstm', hiddenSize: 4, bidirectional: true, pooling: 'last' }, input: tokens(5), outputSize: 2 }],
  ['rnn-relu-forecast', { kind: 'recurrent', task: 'forecast', options: { cell: 'rnn', nonlinearity: 'relu', hiddenSize: 5, numLayers: 2 }, input: features(2), outputSize: 6, horizon: 3, targetFeatures: 2 }],
  ['indrnn-forecast-mean', { kind: 'recurrent', task: 'forecast', options: { cell: 'indrnn', hiddenSize: 4, recurrentBound: 1, pooling: 'mean' }, input: features(3), outputSize: 2, horizon: 2, targetFeatures: 1 }],
  ['decoder-lm', { kind: 'attention', task: 'language-model', options: { dModel: 8, heads: 2, layers: 2, mlpWidth: 12 }, input: tokens(7), outputSize: 7 }],
  ['encoder-classify', { kind: 'attention', task: 'classification', options: { dModel: 8, heads: 2, layers: 1, positional: 'learned', maxLength: 8, pooling: 'mean' }, input: tokens(9), outputSize: 3 }],
  ['feedback-lm-embedding', { kind: 'feedback', task: 'language-model', options: { embeddingSize: 3, layers: [{ name: 'h', size: 4, cell: 'lstm' }, { name: 'o', size: 3, cell: 'rnn_tanh' }], feedback: [{ kind: 'lateral', layer: 'h' }, { kind: 'indirect', from: 'o', to: 'h' }] }, input: tokens(6), outputSize: 6 }],
  ['feedback-classify-mean', { kind: 'feedback', task: 'classification', options: { layers: [{ name: 'a', size: 3, cell: 'gru' }, { name: 'b', size: 3, cell: 'rnn_relu' }], feedback: 'complete', pooling: 'mean' }, input: features(2), outputSize: 2 }],
  ['feedback-forecast-last', { kind: 'feedback', task: 'forecast', options: { layers: [{ name: 'h', size: 4, cell: 'indrnn' }, { name: 'o', size: 2, cell: 'linear' }], feedback: [{ kind: 'indirect', from: 'o', to: 'h' }] }, input: features(2), outputSize: 2, horizon: 1, targetFeatures: 2 }],
  ['encoder-forecast', { kind: 'attention', task: 'forecast', options: { dModel: 8, heads: 4, layers: 2, activation: 'relu' }, input: features(2), outputSize: 2, horizon: 2, targetFeatures: 1 }],
];

describe('loopflow export --onnx: every pipeline model family runs in ONNX Runtime as the model forward', () => {
  const cases = MODELS.map(([name, description]) => ({ name, description, file: `${name}.onnx` }));
  const exits: Record<string, { code: number; out: string; err: string }> = {};
  let replies: Reply[] = [];
  const expected: Record<string, Tensor>[] = [];
  const feeds: Record<string, Feed>[] = [];

  beforeAll(async () => {
    const rng = new Random(2);
    for (const c of cases) {
      exits[c.name] = await exportRun(runFolder(c.name, c.description), '--onnx', c.file);
      const loaded = loadModel(path.join(dir, c.name)).model; // the model as the run folder holds it
      const batch = batchOf(c.description, rng);
      const result = loaded.forward(batch, undefined, { training: false });
      const want: Record<string, Tensor> = { output: result.output };
      const state = result.state as { h?: Tensor; c?: Tensor } | undefined;
      if (c.description.kind !== 'attention' && c.description.task === 'language-model' && state?.h) {
        want.hn = state.h;
        if (state.c) want.cn = state.c;
      }
      expected.push(want);
      const feed: Record<string, Feed> = { x: { type: c.description.input.kind === 'tokens' ? 'int64' : 'float32', dims: [...batch.inputs.shape], data: Array.from(batch.inputs.data) } };
      if (!(c.description.kind === 'attention' && c.description.task === 'language-model')) feed.sequence_lens = { type: 'int32', dims: [B], data: LENGTHS };
      feeds.push(feed);
    }
    const exported = cases.filter((c) => exits[c.name].code === 0);
    const results = runOnnx(exported.map((c) => ({ file: path.join(dir, c.file), feeds: feeds[cases.indexOf(c)] })));
    replies = cases.map((c) => (exits[c.name].code === 0 ? results[exported.indexOf(c)] : { error: exits[c.name].err } as Reply));
  });

  cases.forEach((c, k) => it(c.name, () => {
    expect(exits[c.name]).toMatchObject({ code: 0, err: '' });
    expect(exits[c.name].out).toMatch(new RegExp(`^wrote ${c.file} \\(\\d+ bytes, ONNX opset 17\\)\\n  inputs:  x \\[T, B`));
    const reply = replies[k];
    if (reply.error) throw new Error(reply.error);
    for (const [name, want] of Object.entries(expected[k])) {
      const got = reply.runs[0][name];
      expect({ name, dims: got.dims }).toEqual({ name, dims: [...want.shape] });
      let worst = 0;
      got.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want.data[i]))));
      expect({ name, diff: worst <= 1e-5 ? 'ok' : worst }).toEqual({ name, diff: 'ok' });
    }
  }));
});

describe('loopflow export refusals', () => {
  it('a model the exporter refuses: exit 1, its code in --json, no file written', async () => {
    const name = runFolder('bad-pooling', { kind: 'recurrent', task: 'classification', options: { cell: 'gru', hiddenSize: 3 }, input: features(2), outputSize: 2 });
    const file = path.join(dir, name, 'model.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    json.architecture.options.pooling = 'median'; // a description this version never writes
    fs.writeFileSync(file, JSON.stringify(json));
    const r = await exportRun(name, '--onnx', 'bad.onnx', '--json');
    expect(r.code).toBe(1);
    const result = JSON.parse(r.out.trim().split('\n').pop() as string);
    expect(result).toMatchObject({ type: 'result', command: 'export', exitCode: 1, error: { code: 'ONNX_INVALID_MODEL', message: expect.stringContaining('pooling "median"') } });
    expect(fs.existsSync(path.join(dir, 'bad.onnx'))).toBe(false);
  });

  it('weights holding NaN: exit 1 (loadModel refuses them), no file written', async () => {
    const name = runFolder('nan', { kind: 'recurrent', task: 'classification', options: { cell: 'gru', hiddenSize: 3 }, input: features(2), outputSize: 2 }, (model) => ((parameters(model.modules)[0] as Tensor).data[0] = NaN));
    const r = await exportRun(name, '--onnx', 'nan.onnx');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^export failed: .*non-finite value/);
    expect(fs.existsSync(path.join(dir, 'nan.onnx'))).toBe(false);
  });

  it('no --onnx, or no run folder: exit 2 with the usage', async () => {
    const missing = await exportRun('lstm-lm-embedding');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('missing --onnx <file>');
    const noModel = await exportRun('no-such-run', '--onnx', 'x.onnx');
    expect(noModel.code).toBe(1);
    expect(noModel.err).toContain('no model.json');
  });

  it('--initial-state: a language model carries its state from call to call as the model forward does', async () => {
    const description = MODELS.find(([name]) => name === 'lstm-lm-embedding')?.[1] as Description;
    const r = await exportRun('lstm-lm-embedding', '--onnx', 'carry.onnx', '--initial-state');
    expect(r.code).toBe(0);
    const model = loadModel(path.join(dir, 'lstm-lm-embedding')).model;
    const rng = new Random(4);
    const first = model.forward(batchOf(description, rng), undefined, { training: false });
    const second = batchOf(description, rng);
    const state = first.state as { h: Tensor; c: Tensor };
    const want = model.forward(second, state, { training: false });
    const [reply] = runOnnx([{
      file: path.join(dir, 'carry.onnx'),
      feeds: {
        x: { type: 'int64', dims: [T, B], data: Array.from(second.inputs.data) },
        sequence_lens: { type: 'int32', dims: [B], data: LENGTHS },
        h0: { type: 'float32', dims: [...state.h.shape], data: Array.from(state.h.data) },
        c0: { type: 'float32', dims: [...state.c.shape], data: Array.from(state.c.data) },
      },
    }]);
    if (reply.error) throw new Error(reply.error);
    const worst = (got: number[], expected: Tensor): number => got.reduce((m, v, i) => Math.max(m, Math.abs(v - expected.data[i])), 0);
    expect(worst(reply.runs[0].output.data, want.output)).toBeLessThanOrEqual(1e-5);
    expect(worst(reply.runs[0].hn.data, (want.state as { h: Tensor }).h)).toBeLessThanOrEqual(1e-5);
    expect(worst(reply.runs[0].cn.data, (want.state as { c: Tensor }).c)).toBeLessThanOrEqual(1e-5);
  });

  it('--json: the file, its inputs and outputs', async () => {
    const r = await exportRun('bilstm-classify-last', '--onnx', 'again.onnx', '--json', '--initial-state');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out.trim().split('\n').pop() as string);
    expect(result).toMatchObject({
      type: 'result', command: 'export', exitCode: 0, opset: 17,
      inputs: [
        { name: 'x', type: 'int64', shape: ['T', 'B'] },
        { name: 'sequence_lens', type: 'int32', shape: ['B'] },
        { name: 'h0', type: 'float32', shape: [2, 'B', 4] },
        { name: 'c0', type: 'float32', shape: [2, 'B', 4] },
      ],
      outputs: [{ name: 'output', type: 'float32', shape: ['B', 2] }],
    });
  });
});
