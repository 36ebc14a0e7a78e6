import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Tensor } from '@loopflow/tensor';
import { encodeSafetensors, loadSafetensors } from '@loopflow/layers';
import { createStreamer } from '@loopflow/cells';
import type { RecurrentModule } from '@loopflow/cells';
import { collate } from '@loopflow/data';
import { loadModel } from '@loopflow/pipeline';
import { main } from '../main';
import { fakeIO } from '../testing';

// `loopflow import` on a checkpoint trained by PyTorch (packages/pipeline/testdata/pytorch,
// from_pytorch.py): the run folder it writes loads, streams and samples, and gives the logits
// PyTorch recorded; a wrong shape or a missing tensor is refused naming it.

const FIXTURES = path.join(__dirname, '..', '..', '..', 'pipeline', 'testdata', 'pytorch', 'torch');
const CHECKPOINT = path.join(FIXTURES, 'lstm-lm.safetensors');
const DESCRIPTION = path.join(FIXTURES, 'lstm-lm.model.json');
const record = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'lstm-lm.json'), 'utf8')) as { prompt: number[]; logits: { shape: number[]; data: number[] } };

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-import-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = fakeIO(dir);
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('loopflow import of a PyTorch checkpoint', () => {
  it('writes a run folder that loads (the logits PyTorch recorded), streams and samples with inspect', async () => {
    const r = await cli('import', CHECKPOINT, '--model', DESCRIPTION, '--out', 'lstm');
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toContain('11 tensors, 2626 parameters');
    expect(fs.readdirSync(path.join(dir, 'lstm')).sort()).toEqual(['model.json', 'model.safetensors', 'summary.json']);

    const { model, artifacts } = loadModel(path.join(dir, 'lstm'));
    expect(artifacts.vocabulary?.size).toBe(22);
    const batch = collate([{ kind: 'tokens', input: record.prompt, target: record.prompt }]); // [T, 1]
    const { output } = model.forward(batch, undefined, { training: false }); // [T, 1, V]
    expect(maxAbsDiff(output.data, record.logits.data)).toBeLessThanOrEqual(1e-5);

    const modules = model.modules as { embedding: { weight: Tensor }; rnn: RecurrentModule; head: { weight: Tensor; bias: Tensor } };
    const streamer = createStreamer(modules.rnn);
    const last = record.prompt.map((token) => Array.from(streamer.step(modules.embedding.weight.data.subarray(token * 6, token * 6 + 6))))[record.prompt.length - 1];
    const V = record.logits.shape[1];
    const logits = Array.from({ length: V }, (_, o) => modules.head.bias.data[o] + last.reduce((s, h, i) => s + modules.head.weight.data[o * 12 + i] * h, 0));
    expect(maxAbsDiff(logits, record.logits.data.slice(-V))).toBeLessThanOrEqual(1e-5);

    const inspected = await cli('inspect', 'lstm', '--samples', '3', '--max-length', '10');
    expect(inspected.code).toBe(0);
    expect(inspected.out).toContain('imported    from');
    expect(inspected.out).toMatch(/samples:\n( {2}[a-z]*\n){3}$/);
  });

  it('refuses a tensor of the wrong shape, naming it with the shape expected and found', async () => {
    const description = JSON.parse(fs.readFileSync(DESCRIPTION, 'utf8'));
    description.architecture.options.hiddenSize = 10;
    fs.writeFileSync(path.join(dir, 'hidden10.json'), JSON.stringify(description));
    const r = await cli('import', CHECKPOINT, '--model', 'hidden10.json', '--out', 'wrong-shape', '--json');
    expect(r.code).toBe(1);
    const result = JSON.parse(r.out.trim().split('\n').pop() as string);
    expect(result.error.code).toBe('IMPORT_SHAPE_MISMATCH');
    expect(result.error.message).toContain("tensor 'rnn.weight_ih_l0' has shape [48,6]; the architecture in --model expects [40,6]");
    expect(fs.existsSync(path.join(dir, 'wrong-shape'))).toBe(false);
  });

  it('refuses a checkpoint that lacks a tensor, or holds one the architecture has no place for', async () => {
    const { tensors } = loadSafetensors(CHECKPOINT);
    const lacking = { ...tensors };
    delete lacking['head.bias'];
    fs.writeFileSync(path.join(dir, 'lacking.safetensors'), encodeSafetensors(lacking));
    let r = await cli('import', 'lacking.safetensors', '--model', DESCRIPTION, '--out', 'lacking');
    expect(r.code).toBe(1);
    expect(r.err).toContain("missing tensor 'head.bias' [22] (name and shape the architecture expects)");
    fs.writeFileSync(path.join(dir, 'extra.safetensors'), encodeSafetensors({ ...tensors, 'rnn.weight_ih_l2': tensors['rnn.weight_ih_l1'] }));
    r = await cli('import', 'extra.safetensors', '--model', DESCRIPTION, '--out', 'extra', '--json');
    expect(JSON.parse(r.out.trim().split('\n').pop() as string).error.code).toBe('IMPORT_UNEXPECTED_TENSOR');
  });

  it('is a usage error without --model or --out, and refuses to write into a folder that holds files', async () => {
    expect((await cli('import', CHECKPOINT, '--out', 'x')).code).toBe(2);
    expect((await cli('import', CHECKPOINT, '--model', DESCRIPTION)).code).toBe(2);
    fs.mkdirSync(path.join(dir, 'full'));
    fs.writeFileSync(path.join(dir, 'full', 'keep.txt'), 'mine');
    const r = await cli('import', CHECKPOINT, '--model', DESCRIPTION, '--out', 'full');
    expect(r.code).toBe(1);
    expect(r.err).toContain('exists and is not an empty folder');
  });
});

describe('loopflow import --tfjs (dispatched to runTfjsImport)', () => {
  it('imports a TensorFlow.js model through the command line; --tfjs with a checkpoint or --model is a usage error', async () => {
    const tf = await import('@tensorflow/tfjs');
    const warn = console.warn;
    console.warn = () => undefined; // tfjs suggests tfjs-node on its first tensor
    await tf.setBackend('cpu');
    console.warn = warn;
    const folder = path.join(dir, 'tfjs-binary');
    fs.mkdirSync(folder);
    const classifier = tf.sequential({ layers: [tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid', inputShape: [null, 2] }), tf.layers.dense({ units: 1, activation: 'sigmoid' })] });
    await classifier.save(
      tf.io.withSaveHandler(async (a) => {
        fs.writeFileSync(path.join(folder, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
        fs.writeFileSync(path.join(folder, 'model.json'), JSON.stringify({ format: a.format, modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const r = await cli('import', '--tfjs', 'tfjs-binary/model.json', '--out', 'tfjs-run', '--labels', 'spam,ham');
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toMatch(/classification model, lstm hidden 3 x 1 layer\(s\)/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'tfjs-run', 'model.json'), 'utf8')).labels).toEqual(['spam', 'ham']);
    expect((await cli('import', CHECKPOINT, '--tfjs', 'tfjs-binary/model.json', '--out', 'x')).code).toBe(2);
    expect((await cli('import', '--tfjs', 'tfjs-binary/model.json')).code).toBe(2);
  });
});
