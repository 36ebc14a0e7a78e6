/**
 * TensorFlow.js (a dev dependency, cpu backend) for the specs of the tfjs import: builds and
 * saves tfjs-layers models as model.json + one weights.bin, as `model.save('file://...')`
 * would write them (tfjs-node, which has that handler, is not installed).
 */
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs';
import type { TfjsModelJson } from '../interop/tfjs/convert';

export { tf };

/** The cpu backend, quietly (tfjs suggests tfjs-node once per process). */
export async function tfjsReady(): Promise<void> {
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    await tf.setBackend('cpu');
    await tf.ready();
    tf.tensor([0]).dispose(); // the cpu backend's first write is when it warns
  } finally {
    console.warn = warn;
  }
}

/** Gives every weight of `model` seeded uniform values in [-scale, scale] (biases too, so their layout is tested). */
export function randomizeWeights(model: tf.LayersModel, seed: number, scale = 0.5): void {
  model.setWeights(model.getWeights().map((w, i) => tf.randomUniform(w.shape, -scale, scale, 'float32', seed + i)));
}

/** What `model.save()` writes: model.json (one manifest group, weights.bin) and the bytes of weights.bin. */
export async function saveTfjsModel(model: tf.LayersModel): Promise<{ json: TfjsModelJson; bytes: Uint8Array }> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const artifacts = saved as tf.io.ModelArtifacts;
  const data = artifacts.weightData as ArrayBuffer;
  return {
    json: {
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy ?? null,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs as TfjsModelJson['weightsManifest'][0]['weights'] }],
    },
    bytes: new Uint8Array(data.slice(0)),
  };
}

/** `model.predict(x)` as a flat array and shape. */
export function tfjsPredict(model: tf.LayersModel, x: tf.Tensor): { data: Float32Array; shape: number[] } {
  const y = model.predict(x) as tf.Tensor;
  return { data: y.dataSync() as Float32Array, shape: y.shape };
}

/** The largest |a - b| of two arrays of one length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths ${a.length} and ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/**
 * Writes model.json and its weights into `dir`, as `model.save('file://dir')` does, with the
 * weight bytes cut into `shards` files (`group1-shard<i>of<n>.bin`, as tensorflowjs_converter names them).
 * Returns the path of model.json.
 */
export function writeTfjsFolder(dir: string, json: TfjsModelJson, bytes: Uint8Array, shards = 1): string {
  const size = Math.ceil(bytes.length / shards);
  const paths = Array.from({ length: shards }, (_, i) => `group1-shard${i + 1}of${shards}.bin`);
  paths.forEach((name, i) => fs.writeFileSync(`${dir}/${name}`, bytes.subarray(i * size, (i + 1) * size)));
  const file = `${dir}/model.json`;
  fs.writeFileSync(file, JSON.stringify({ ...json, weightsManifest: [{ paths, weights: json.weightsManifest.flatMap((g) => g.weights) }] }));
  return file;
}
