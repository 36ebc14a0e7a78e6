import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lastValueFrom, toArray } from 'rxjs';
import { Random, Tensor, tensor } from '@loopflow/tensor';
import { createEmbedding, createLinear, loadSafetensors, loadStateDict } from '@loopflow/layers';
import { createRecurrent, createStreamer } from '@loopflow/cells';
import { createMultiHeadAttention, createTransformerBlock, multiHeadAttention, transformerBlock } from '@loopflow/attention';
import { collate } from '@loopflow/data';
import { readCheckpoint, upgradeCheckpoint } from '@loopflow/training';
import { loadModel } from './model-file';
import { runPipeline } from '../run/run-pipeline';
import type { RunEvent } from '../run/run-pipeline';
import type { PipelineDefinition } from '../definition/types';

/**
 * PyTorch in both directions, against fixtures written by real PyTorch (1.13, Debian's
 * python3-torch) and committed with the scripts that wrote them (testdata/pytorch, README
 * there). No Python runs here. Every comparison: max abs difference <= 1e-5.
 */

const FIXTURES = path.join(__dirname, '..', '..', 'testdata', 'pytorch');
const TOLERANCE = 1e-5;

interface Stored {
  shape: number[];
  data: number[];
}
const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
const stored = (t: Stored) => tensor(t.data, t.shape, { dtype: 'float32' });

function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}

/** `W x + b` of a Linear module for one vector. */
function applyLinear(weight: Tensor, bias: Tensor, x: ArrayLike<number>): number[] {
  const [out, inputs] = weight.shape;
  return Array.from({ length: out }, (_, o) => {
    let s = bias.data[o];
    for (let i = 0; i < inputs; i++) s += weight.data[o * inputs + i] * x[i];
    return s;
  });
}

describe('PyTorch -> loopflow: state dicts saved by PyTorch load with loadStateDict as they are', () => {
  const torchFile = (name: string) => path.join(FIXTURES, 'torch', name);

  it('a character LSTM language model streams with createStreamer to the logits and final states PyTorch recorded', () => {
    const record = readJson<{ prompt: number[]; logits: Stored; h: Stored; c: Stored; model: { architecture: { input: { vocabSize: number } } } }>(torchFile('lstm-lm.json'));
    const vocab = record.model.architecture.input.vocabSize;
    const rng = new Random(0);
    const model = {
      embedding: createEmbedding(rng, vocab, 6),
      rnn: createRecurrent(rng, { kind: 'lstm', inputSize: 6, hiddenSize: 12, numLayers: 2 }),
      head: createLinear(rng, 12, vocab),
    };
    expect(loadStateDict(model, loadSafetensors(torchFile('lstm-lm.safetensors')).tensors)).toEqual({ missing: [], unexpected: [] }); // strict
    const streamer = createStreamer(model.rnn);
    const table = model.embedding.weight.data;
    const logits: number[] = [];
    for (const token of record.prompt) {
      const h = streamer.step(table.subarray(token * 6, (token + 1) * 6)); // [H]
      logits.push(...applyLinear(model.head.weight, model.head.bias as Tensor, h));
    }
    expect(maxAbsDiff(logits, record.logits.data)).toBeLessThanOrEqual(TOLERANCE);
    const state = streamer.getState(); // h, c [2, 1, 12]
    expect(maxAbsDiff(state.h.data, record.h.data)).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff((state.c as Tensor).data, record.c.data)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('a GRU over features streams to the outputs PyTorch recorded', () => {
    const record = readJson<{ x: Stored; y: Stored }>(torchFile('gru-features.json'));
    const rng = new Random(0);
    const model = { rnn: createRecurrent(rng, { kind: 'gru', inputSize: 3, hiddenSize: 5 }), head: createLinear(rng, 5, 2) };
    loadStateDict(model, loadSafetensors(torchFile('gru-features.safetensors')).tensors);
    const streamer = createStreamer(model.rnn);
    const y: number[] = [];
    for (let t = 0; t < record.x.shape[0]; t++) y.push(...applyLinear(model.head.weight, model.head.bias as Tensor, streamer.step(record.x.data.slice(t * 3, t * 3 + 3))));
    expect(maxAbsDiff(y, record.y.data)).toBeLessThanOrEqual(TOLERANCE);
  });

  it("an nn.MultiheadAttention's state dict loads into multi-head attention: output and per-head weights, causal", () => {
    const record = readJson<{ heads: number; x: Stored; y: Stored; weights: Stored }>(torchFile('mha.json'));
    const mha = createMultiHeadAttention(new Random(0), { dModel: 8, heads: record.heads });
    loadStateDict(mha, loadSafetensors(torchFile('mha.safetensors')).tensors);
    const x = stored(record.x);
    const composed = multiHeadAttention(mha, x, { causal: true }); // returns the weights: the composed path
    expect(maxAbsDiff(composed.output.data, record.y.data)).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(composed.weights.data, record.weights.data)).toBeLessThanOrEqual(TOLERANCE);
    const fused = multiHeadAttention(mha, x, { causal: true, returnWeights: false }); // the fused path where the kernels load
    expect(maxAbsDiff(fused.output.data, record.y.data)).toBeLessThanOrEqual(TOLERANCE);
  });

  it.each(['relu', 'gelu'] as const)("an nn.TransformerEncoderLayer (norm_first, %s) loads into a transformer block and gives PyTorch's output", (activation) => {
    const record = readJson<{ config: { dModel: number; heads: number; mlpWidth: number }; x: Stored; y: Stored }>(torchFile(`encoder-layer-${activation}.json`));
    const block = createTransformerBlock(new Random(0), { ...record.config, activation });
    loadStateDict(block, loadSafetensors(torchFile(`encoder-layer-${activation}.safetensors`)).tensors);
    const y = transformerBlock(block, stored(record.x), { causal: true });
    expect(maxAbsDiff(y.data, record.y.data)).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('loopflow -> PyTorch: run folders loaded into nn.Modules by to_pytorch.py', () => {
  it.each(['loopflow-gru', 'loopflow-attention', 'loopflow-bigru-classify', 'loopflow-encoder-classify'])('%s: loopflow gives the logits PyTorch computed from the same run folder', (name) => {
    const folder = path.join(FIXTURES, 'runs', name);
    const record = readJson<{ ids: number[][]; lengths: number[]; logits: Stored }>(path.join(folder, 'pytorch-outputs.json'));
    const { model } = loadModel(folder);
    const [T, B] = [record.ids.length, record.ids[0].length];
    // [T, B] -> B sequences, each cut to its length (the rest is padding)
    const sequences = Array.from({ length: B }, (_, b) => record.ids.slice(0, record.lengths[b]).map((row) => row[b]));
    const classify = model.description.task === 'classification';
    const batch = collate(sequences.map((s) => (classify ? { kind: 'labelled' as const, input: s, label: 0 } : { kind: 'tokens' as const, input: s, target: s })));
    expect(batch.inputs.shape).toEqual([T, B]);
    expect(batch.lengths).toEqual(record.lengths);
    const { output } = model.forward(batch, undefined, { training: false }); // [T, B, V] or [B, C]
    expect(output.shape).toEqual(record.logits.shape);
    expect(maxAbsDiff(output.data, record.logits.data)).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('run folders written before attention took PyTorch names and layout', () => {
  it('load (attention.Wq..Wo and fc1/fc2 converted) and give the logits the loopflow of the time recorded', () => {
    const folder = path.join(__dirname, '..', '..', 'testdata', 'legacy-attention', 'run');
    const record = readJson<{ sequences: number[][]; logits: Stored }>(path.join(folder, 'outputs.json'));
    const { model } = loadModel(folder);
    const batch = collate(record.sequences.map((s) => ({ kind: 'tokens' as const, input: s, target: s })));
    const { output } = model.forward(batch, undefined, { training: false });
    expect(output.shape).toEqual(record.logits.shape);
    expect(maxAbsDiff(output.data, record.logits.data)).toBeLessThanOrEqual(1e-6);
  });

  it("read as checkpoints, resume training: the weights and the optimizer's moments convert, and the run continues as the loopflow of the time continued it", async () => {
    const legacy = path.join(__dirname, '..', '..', 'testdata', 'legacy-attention');
    const saved = readCheckpoint(path.join(legacy, 'run', 'checkpoints'));
    expect(saved.trainer.model.parameters.map((p) => p.name)).toContain('transformer.blocks.0.attention.Wq'); // as written
    const ckpt = upgradeCheckpoint(saved);
    const names = ckpt.trainer.model.parameters.map((p) => p.name);
    expect(names.filter((n) => n.startsWith('transformer.blocks.0.'))).toEqual([
      'transformer.blocks.0.norm1.weight', 'transformer.blocks.0.norm1.bias',
      'transformer.blocks.0.self_attn.in_proj_weight', 'transformer.blocks.0.self_attn.in_proj_bias', 'transformer.blocks.0.self_attn.out_proj.weight', 'transformer.blocks.0.self_attn.out_proj.bias',
      'transformer.blocks.0.norm2.weight', 'transformer.blocks.0.norm2.bias',
      'transformer.blocks.0.linear1.weight', 'transformer.blocks.0.linear1.bias', 'transformer.blocks.0.linear2.weight', 'transformer.blocks.0.linear2.bias',
    ]);
    expect(Object.keys(ckpt.model).sort()).toEqual([...names].sort());
    expect(ckpt.optimizer.optimizer.params.map((p) => p.shape)).toEqual(ckpt.trainer.model.parameters.map((p) => p.shape));

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-legacy-'));
    try {
      fs.cpSync(path.join(legacy, 'run'), path.join(dir, 'run'), { recursive: true });
      const recorded = readJson<{ epochs: number; history: { epoch: number; trainLoss: number; validLoss: number }[] }>(path.join(legacy, 'resumed-history.json'));
      const definition = readJson<PipelineDefinition & { stages: { stage: string; epochs?: number }[] }>(path.join(FIXTURES, 'loopflow-attention.json'));
      definition.stages.forEach((stage) => stage.stage === 'train' && (stage.epochs = recorded.epochs));
      const events = await lastValueFrom(runPipeline(definition, { baseDir: dir, runsDir: path.join(dir, 'runs'), resumeFrom: path.join(dir, 'run', 'checkpoints') }).pipe(toArray()));
      const done = events[events.length - 1] as Extract<RunEvent, { type: 'run-done' }>;
      expect(done.summary.status).toBe('completed');
      expect(done.summary.resumedFrom).toMatchObject({ epoch: 3 });
      const history = (done.summary.history ?? []).map((h) => ({ epoch: h.epoch, trainLoss: h.trainLoss, validLoss: h.valid?.loss as number }));
      expect(history.map((h) => h.epoch)).toEqual(recorded.history.map((h) => h.epoch));
      history.forEach((h, i) => {
        expect(Math.abs(h.trainLoss - recorded.history[i].trainLoss)).toBeLessThanOrEqual(1e-5);
        expect(Math.abs(h.validLoss - recorded.history[i].validLoss)).toBeLessThanOrEqual(1e-5);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
