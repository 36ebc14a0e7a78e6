import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Random, Tensor } from '@loopflow/tensor';
import { parameters } from '@loopflow/layers';
import { Vocabulary } from '@loopflow/data';
import { buildModel, saveModel, SUMMARY_FORMAT } from '@loopflow/pipeline';
import { main } from '../main';
import { fakeIO } from '../testing';

// `loopflow inspect` on the damaged run folders of issue 16: a clear error and a non-zero exit.

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-inspect-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A finished language-model run folder (no training: a fresh model saved as a run would). */
function runFolder(name: string, damage: (model: ReturnType<typeof buildModel>) => void = () => undefined): string {
  const runDir = path.join(dir, name);
  fs.mkdirSync(runDir);
  const vocabulary = Vocabulary.build([['a', 'b', 'c']]);
  const model = buildModel({ kind: 'recurrent', task: 'language-model', options: { cell: 'gru', hiddenSize: 4 }, input: { kind: 'tokens', vocabSize: vocabulary.size }, outputSize: vocabulary.size }, new Random(1));
  damage(model);
  saveModel(runDir, name, model, { vocabulary, tokenizer: { kind: 'char', lowerCase: false } });
  fs.writeFileSync(path.join(runDir, 'summary.json'), JSON.stringify({ format: SUMMARY_FORMAT, name, status: 'completed', started: '2026-01-01T00:00:00.000Z', seed: 0, task: 'language-model' }));
  return name;
}

async function inspect(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = fakeIO(dir);
  const code = await main(['inspect', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

it('samples from an intact run folder (exit 0)', async () => {
  const r = await inspect(runFolder('intact'), '--samples', '2', '--max-length', '4');
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/samples:\n {2}.*\n {2}.*\n$/);
});

it('a missing model file: exit 1, naming the file, no raw ENOENT', async () => {
  const name = runFolder('missing');
  fs.rmSync(path.join(dir, name, 'model.safetensors'));
  const r = await inspect(name, '--samples', '2');
  expect(r.code).toBe(1);
  expect(r.err).toContain(`inspect failed: ${path.join(dir, name, 'model.safetensors')} (the model weights) is missing; the run folder is incomplete or damaged`);
  expect(r.err).not.toMatch(/ENOENT|EISDIR|\n\s+at /);
});

it('a folder in place of the model file: exit 1, no raw EISDIR', async () => {
  const name = runFolder('folder');
  fs.rmSync(path.join(dir, name, 'model.safetensors'));
  fs.mkdirSync(path.join(dir, name, 'model.safetensors'));
  const r = await inspect(name, '--samples', '2');
  expect(r.code).toBe(1);
  expect(r.err).toContain('(the model weights) is a folder, not a file');
  expect(r.err).not.toMatch(/EISDIR/);
});

it('a folder in place of summary.json: exit 2, not a raw EISDIR', async () => {
  const name = runFolder('summary-folder');
  fs.rmSync(path.join(dir, name, 'summary.json'));
  fs.mkdirSync(path.join(dir, name, 'summary.json'));
  const r = await inspect(name);
  expect(r.code).toBe(2);
  expect(r.err).toContain('summary.json is a folder, not a file; the run folder is damaged');
});

it('NaN weights: exit 1 with MODEL_NOT_FINITE, never sampling "NaN"', async () => {
  const name = runFolder('nan', (model) => ((parameters(model.modules)[1] as Tensor).data[0] = NaN));
  const r = await inspect(name, '--samples', '2');
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/inspect failed: .*holds 1 non-finite value \(the first, NaN, at index 0\); the training diverged/);
  expect(r.out).not.toContain('samples:');
});

it('weights changed since they were saved: exit 1 with the checksum mismatch', async () => {
  const name = runFolder('changed');
  const weights = path.join(dir, name, 'model.safetensors');
  const bytes = fs.readFileSync(weights);
  bytes[bytes.length - 2] ^= 0x40;
  fs.writeFileSync(weights, bytes);
  const r = await inspect(name, '--samples', '1');
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/model\.safetensors: SHA-256 [0-9a-f]{64} differs from [0-9a-f]{64}, written in model\.json when the model was saved/);
});
