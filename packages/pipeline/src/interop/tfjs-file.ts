/**
 * Node: a TensorFlow.js layers model from its files — model.json and the weight shards its
 * `weightsManifest` names (read, never run), converted by `convertTfjsModel`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LoopflowError } from '@loopflow/tensor';
import { convertTfjsModel, TfjsImportedModel, TfjsModelJson } from './tfjs/convert';
import { manifestGroups } from './tfjs/weights';

function readFile(file: string, what: string, modelJson: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const found = code === 'ENOENT' ? 'is missing' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code ?? (e as Error).message})`;
    const hint = file === modelJson ? 'pass the model.json that model.save() (or tensorflowjs_converter) wrote' : `copy every file that ${path.basename(modelJson)}'s weightsManifest names into its folder`;
    throw new LoopflowError('TFJS_FILE', `tfjs import: ${file} (${what}) ${found}; ${hint}`);
  }
}

/**
 * Reads a TensorFlow.js layers model — `modelJsonPath` and the weight files its
 * `weightsManifest` names, resolved relative to it — and converts it to loopflow modules
 * (`convertTfjsModel`: the supported layers, the weight layouts, the refusals). A missing or
 * unreadable file is `TFJS_FILE` naming it; a shard path that is a URL or leaves the folder of
 * model.json is `TFJS_FILE` too (nothing is fetched).
 *
 * @example const imported = loadTfjsModel('exported/model.json'); imported.predict(tensor(ids, [1, ids.length]));
 */
export function loadTfjsModel(modelJsonPath: string): TfjsImportedModel {
  const file = path.resolve(modelJsonPath);
  let json: TfjsModelJson;
  try {
    json = JSON.parse(readFile(file, 'the model description', file).toString('utf8')) as TfjsModelJson;
  } catch (e) {
    if (e instanceof LoopflowError) throw e;
    throw new LoopflowError('TFJS_INVALID', `tfjs import: ${file} is not valid JSON (${(e as Error).message}); pass the model.json of a TensorFlow.js layers model`);
  }
  if (!json || typeof json !== 'object' || !('modelTopology' in json)) {
    throw new LoopflowError('TFJS_INVALID', `tfjs import: ${file} has no modelTopology; pass the model.json of a TensorFlow.js layers model (a graph model, tensorflowjs_converter --output_format tfjs_graph_model, is not imported)`);
  }
  const folder = path.dirname(file);
  const shards: Uint8Array[] = [];
  for (const group of manifestGroups(json.weightsManifest)) {
    for (const shard of group.paths) {
      const shardFile = path.resolve(folder, shard);
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(shard) || path.isAbsolute(shard) || path.relative(folder, shardFile).startsWith('..')) {
        throw new LoopflowError('TFJS_FILE', `tfjs import: ${file} names the weight file ${JSON.stringify(shard)}, which is not a path inside its folder; weight files are read from beside model.json only: copy them there and name them by file name`);
      }
      shards.push(readFile(shardFile, `a weight file of ${path.basename(file)}`, file));
    }
  }
  return convertTfjsModel(json, shards);
}
