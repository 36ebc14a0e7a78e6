/**
 * loadTfjsModel: model.json and its shards read from a folder (resolved relative to
 * model.json), the model converted and run as tfjs runs it; missing or outside files refused.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tensor } from '@loopflow/tensor';
import { loadTfjsModel } from './tfjs-file';
import { maxAbsDiff, randomizeWeights, saveTfjsModel, tf, tfjsPredict, tfjsReady, writeTfjsFolder } from '../testing/tfjs';

let dir: string;
beforeAll(async () => {
  await tfjsReady();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-tfjs-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function savedModel() {
  const model = tf.sequential({ layers: [tf.layers.embedding({ inputDim: 8, outputDim: 3 }), tf.layers.lstm({ units: 4, recurrentActivation: 'sigmoid' }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
  randomizeWeights(model, 41);
  return { model, ...(await saveTfjsModel(model)) };
}

describe('loadTfjsModel', () => {
  it('reads model.json and three shards beside it, and predicts as tfjs', async () => {
    const { model, json, bytes } = await savedModel();
    const folder = fs.mkdtempSync(path.join(dir, 'three-'));
    const file = writeTfjsFolder(folder, json, bytes, 3);
    const ids = [1, 7, 3, 0, 5, 2, 6, 4];
    const found = loadTfjsModel(path.relative(process.cwd(), file)).predict(tensor(ids, [2, 4]));
    expect(maxAbsDiff(found.data, tfjsPredict(model, tf.tensor(ids, [2, 4], 'int32')).data)).toBeLessThanOrEqual(1e-5);
  });

  it('refuses a missing shard, a shard outside the folder, a missing or broken model.json', async () => {
    const { json, bytes } = await savedModel();
    const folder = fs.mkdtempSync(path.join(dir, 'missing-'));
    const file = writeTfjsFolder(folder, json, bytes, 2);
    fs.rmSync(path.join(folder, 'group1-shard2of2.bin'));
    expect(() => loadTfjsModel(file)).toThrow(expect.objectContaining({ code: 'TFJS_FILE', message: expect.stringMatching(/group1-shard2of2\.bin \(a weight file of model\.json\) is missing; copy every file/) }));
    const outside = JSON.parse(fs.readFileSync(file, 'utf8'));
    outside.weightsManifest[0].paths = ['../elsewhere.bin'];
    fs.writeFileSync(file, JSON.stringify(outside));
    expect(() => loadTfjsModel(file)).toThrow(expect.objectContaining({ code: 'TFJS_FILE', message: expect.stringMatching(/"\.\.\/elsewhere\.bin", which is not a path inside its folder/) }));
    expect(() => loadTfjsModel(path.join(folder, 'nothing.json'))).toThrow(expect.objectContaining({ code: 'TFJS_FILE', message: expect.stringMatching(/nothing\.json \(the model description\) is missing/) }));
    fs.writeFileSync(file, '{"modelTopology": ');
    expect(() => loadTfjsModel(file)).toThrow(expect.objectContaining({ code: 'TFJS_INVALID', message: expect.stringMatching(/is not valid JSON/) }));
  });
});
