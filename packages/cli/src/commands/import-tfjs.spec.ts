/**
 * importTfjsRun: a tfjs-layers language model (built and saved here with @tensorflow/tfjs, cpu)
 * made into a run folder that `loopflow inspect --samples` and `loadModel` use as a trained
 * one: its greedy samples are the tokens tfjs's own `model.predict` picks, step by step.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Vocabulary } from '@loopflow/data';
import { loadModel } from '@loopflow/pipeline';
import { ones, softmax, tensor, zeros } from '@loopflow/tensor';
import { formatTfjsImport, importTfjsRun, runTfjsImport } from './import-tfjs';
import { main } from '../main';
import { fakeIO } from '../testing';

let dir: string;
beforeAll(async () => {
  const warn = console.warn;
  console.warn = () => undefined; // tfjs suggests tfjs-node on its first tensor
  await tf.setBackend('cpu');
  tf.tensor([0]).dispose();
  console.warn = warn;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-import-tfjs-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Saves `model` as model.save('file://folder') would: model.json + weights.bin. */
async function saveToFolder(model: tf.LayersModel, folder: string): Promise<string> {
  fs.mkdirSync(folder, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      fs.writeFileSync(path.join(folder, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
      const json = { format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy ?? null, modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] };
      fs.writeFileSync(path.join(folder, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return path.join(folder, 'model.json');
}

describe('importTfjsRun', () => {
  it('a tfjs language model becomes a run folder: inspect --samples gives the tokens tfjs predicts', async () => {
    const vocabulary = Vocabulary.build([['a', 'b', 'c', 'd', 'e', 'f']]);
    const V = vocabulary.size; // 10
    const model = tf.sequential({
      layers: [tf.layers.embedding({ inputDim: V, outputDim: 4 }), tf.layers.lstm({ units: 8, recurrentActivation: 'sigmoid', returnSequences: true }), tf.layers.dense({ units: V, activation: 'softmax' })],
    });
    model.setWeights(model.getWeights().map((w, i) => tf.randomUniform(w.shape, -1.5, 1.5, 'float32', 50 + i)));
    const modelJson = await saveToFolder(model, path.join(dir, 'keras'));
    const vocabularyFile = path.join(dir, 'keras', 'vocabulary.json');
    fs.writeFileSync(vocabularyFile, JSON.stringify(vocabulary.toJSON()));

    const runDir = path.join(dir, 'run');
    const result = importTfjsRun(modelJson, runDir, { vocabularyFile, name: 'keras-chars' });
    expect(formatTfjsImport(result)).toMatch(/^imported keras-chars: language-model model, lstm hidden 8 x 1 layer\(s\), \d+ parameters -> /);
    expect(fs.readdirSync(runDir).sort()).toEqual(['model.json', 'model.safetensors', 'summary.json']);

    // greedy decoding with tfjs: from <bos>, the likeliest token that is not <pad>, <unk> or <bos>, until <eos> or 8 tokens
    const ids = [vocabulary.bosId];
    const picked: number[] = [];
    while (picked.length < 8) {
      const p = (model.predict(tf.tensor([ids], [1, ids.length], 'int32')) as tf.Tensor).dataSync();
      const last = Array.from(p.subarray((ids.length - 1) * V, ids.length * V));
      [vocabulary.padId, vocabulary.unkId, vocabulary.bosId].forEach((b) => (last[b] = -Infinity));
      const next = last.indexOf(Math.max(...last));
      if (next === vocabulary.eosId) break;
      picked.push(next);
      ids.push(next);
    }
    const expected = vocabulary.decode(picked, { skipSpecials: true }).join('');
    expect(expected.length).toBeGreaterThan(2); // these weights make a sample of several tokens, so the comparison says something

    const io = fakeIO(dir);
    const code = await main(['inspect', runDir, '--samples', '1', '--temperature', '0', '--max-length', '8', '--json'], io);
    expect(code).toBe(0);
    const out = JSON.parse(io.out().trim().split('\n').pop() as string);
    expect(out.samples).toEqual([expected]);
    expect(out.model.architecture).toMatchObject({ kind: 'recurrent', task: 'language-model' });

    // loadModel: softmax of the loaded model's logits is tfjs's predict
    const { model: loaded } = loadModel(runDir);
    const seq = [2, 5, 7, 4, 9];
    const logits = loaded.forward({ kind: 'tokens', inputs: tensor(seq, [seq.length, 1]), targets: zeros([seq.length, 1]), mask: ones([seq.length, 1]), lengths: [seq.length], size: 1 }, undefined, { training: false }).output;
    const want = (model.predict(tf.tensor([seq], [1, seq.length], 'int32')) as tf.Tensor).dataSync();
    const got = softmax(logits, -1).data;
    expect(Math.max(...Array.from(got, (g, i) => Math.abs(g - want[i])))).toBeLessThanOrEqual(1e-5);
  });

  it('refuses an occupied run folder and a model a run folder cannot hold, writing nothing', async () => {
    const model = tf.sequential({ layers: [tf.layers.simpleRNN({ units: 3, inputShape: [null, 2], returnSequences: true }), tf.layers.dense({ units: 2 })] });
    const modelJson = await saveToFolder(model, path.join(dir, 'per-step'));
    const runDir = path.join(dir, 'refused');
    expect(() => importTfjsRun(modelJson, runDir)).toThrow(expect.objectContaining({ code: 'TFJS_NOT_A_PIPELINE_MODEL' }));
    expect(fs.existsSync(runDir)).toBe(false);
    const classifier = tf.sequential({ layers: [tf.layers.simpleRNN({ units: 3, inputShape: [null, 2] }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
    const classifierJson = await saveToFolder(classifier, path.join(dir, 'classifier'));
    const occupied = path.join(dir, 'occupied');
    fs.mkdirSync(occupied);
    fs.writeFileSync(path.join(occupied, 'model.json'), '{}');
    expect(() => importTfjsRun(classifierJson, occupied)).toThrow(expect.objectContaining({ code: 'RUN_EXISTS' }));
  });

  it('runTfjsImport (what `loopflow import --tfjs` runs): a line and exit 0, or the refusal with its code and exit 1; --json', async () => {
    const classifier = tf.sequential({ layers: [tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid', inputShape: [null, 2] }), tf.layers.dense({ units: 1, activation: 'sigmoid' })] });
    await saveToFolder(classifier, path.join(dir, 'binary'));
    const io = fakeIO(dir);
    expect(await runTfjsImport({ tfjs: 'binary/model.json', out: 'binary-run', labels: 'spam, ham' }, io)).toBe(0);
    expect(io.out()).toMatch(/^imported sequential_\d+: classification model, lstm hidden 3 x 1 layer\(s\), \d+ parameters -> binary-run\n$/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'binary-run', 'model.json'), 'utf8')).labels).toEqual(['spam', 'ham']);
    const hard = tf.sequential({ layers: [tf.layers.lstm({ units: 3, inputShape: [null, 2], name: 'tfjs_default' })] });
    await saveToFolder(hard, path.join(dir, 'hard'));
    const refused = fakeIO(dir);
    expect(await runTfjsImport({ tfjs: 'hard/model.json', out: 'hard-run' }, refused)).toBe(1);
    expect(refused.err()).toMatch(/^loopflow import: tfjs import: layer 'tfjs_default': recurrent_activation 'hard_sigmoid'.* \[TFJS_UNSUPPORTED\]\n$/);
    const json = fakeIO(dir);
    expect(await runTfjsImport({ tfjs: 'hard/model.json', out: 'hard-run', json: true }, json)).toBe(1);
    expect(JSON.parse(json.out())).toMatchObject({ type: 'result', command: 'import', exitCode: 1, status: 'failed', error: { code: 'TFJS_UNSUPPORTED' } });
  });
});
