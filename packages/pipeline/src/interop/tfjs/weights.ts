/**
 * The weights of a TensorFlow.js model: model.json's `weightsManifest` (groups of shard paths
 * and weight specs) over the bytes of its shards, concatenated in manifest order. float32
 * only; every error (`TFJS_WEIGHTS`) names the weight and what was expected. No file access.
 */
import { LoopflowError } from '@loopflow/tensor';

/** One weight of a manifest group, as model.json writes it. */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  /** Quantized weights (refused). */
  quantization?: unknown;
}

/** One group of `weightsManifest`: the shard files, in order, and the weights they hold. */
export interface TfjsWeightsGroup {
  paths: string[];
  weights: TfjsWeightSpec[];
}

/** A decoded weight: its shape (Keras's: kernel `[in, G*H]`) and values. */
export interface TfjsWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

function weightsError(message: string): never {
  throw new LoopflowError('TFJS_WEIGHTS', `tfjs import: ${message}`);
}

/** The manifest's groups, checked (`TFJS_INVALID` when it is not an array of { paths, weights }). */
export function manifestGroups(manifest: unknown): TfjsWeightsGroup[] {
  if (!Array.isArray(manifest)) {
    throw new LoopflowError('TFJS_INVALID', `tfjs import: weightsManifest is ${JSON.stringify(manifest ?? null)}; expected an array of { paths, weights } (model.json of a TensorFlow.js layers model)`);
  }
  manifest.forEach((group, i) => {
    const ok = group && Array.isArray(group.paths) && group.paths.every((p: unknown) => typeof p === 'string') && Array.isArray(group.weights);
    if (!ok) throw new LoopflowError('TFJS_INVALID', `tfjs import: weightsManifest[${i}] is not { paths: string[], weights: [...] }`);
  });
  return manifest as TfjsWeightsGroup[];
}

/** Joins shard bytes (the order of the manifest's paths) into one array. */
export function joinShards(shards: readonly (Uint8Array | ArrayBuffer)[]): Uint8Array {
  const parts = shards.map((s) => (s instanceof Uint8Array ? s : new Uint8Array(s)));
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

/**
 * Decodes every weight of the manifest from `bytes` (all shards, in manifest order; little-endian
 * float32). Refused (`TFJS_WEIGHTS`): a dtype other than float32, quantized weights, a bad
 * shape, bytes that end before a weight does (naming it, its offset and the bytes missing), or
 * bytes left over after the last weight.
 *
 * @example const weights = decodeTfjsWeights(modelJson.weightsManifest, bytes); weights.get('lstm_1/kernel').shape // [8, 64]
 */
export function decodeTfjsWeights(manifest: unknown, bytes: Uint8Array): Map<string, TfjsWeight> {
  const weights = new Map<string, TfjsWeight>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  for (const group of manifestGroups(manifest)) {
    for (const spec of group.weights) {
      const name = String(spec?.name);
      if (spec?.quantization !== undefined && spec.quantization !== null) weightsError(`weight '${name}' is quantized (${JSON.stringify(spec.quantization)}); only float32 weights are imported: convert the model again without --quantize_*`);
      if (spec?.dtype !== 'float32') weightsError(`weight '${name}' has dtype ${JSON.stringify(spec?.dtype)}; only float32 weights are imported: cast the model to float32 and save it again`);
      if (!Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isInteger(d) && d >= 0)) weightsError(`weight '${name}' has shape ${JSON.stringify(spec.shape)}; expected an array of sizes`);
      if (weights.has(name)) weightsError(`weight '${name}' appears twice in weightsManifest`);
      const size = spec.shape.reduce((n, d) => n * d, 1);
      const end = offset + 4 * size;
      if (end > bytes.byteLength) {
        weightsError(`weight '${name}' [${spec.shape.join(', ')}] needs bytes ${offset}..${end} of the weight data, which has ${bytes.byteLength} (${end - bytes.byteLength} missing); a shard is truncated or missing: copy the weight files again with model.json`);
      }
      const data = new Float32Array(size);
      for (let i = 0; i < size; i++) data[i] = view.getFloat32(offset + 4 * i, true);
      weights.set(name, { name, shape: spec.shape.slice(), data });
      offset = end;
    }
  }
  if (offset !== bytes.byteLength) weightsError(`the weight data has ${bytes.byteLength} bytes but weightsManifest describes ${offset}; the weight files do not belong to this model.json`);
  return weights;
}
