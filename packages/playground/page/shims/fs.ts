/**
 * `fs` in a page: there is no file system. Modules that a page bundles import it at their top
 * but call it only to read or write files (the dataset loaders, run folders), which the
 * playground never does: every call throws, saying so.
 */
import { PlaygroundError } from '../errors';
function noFileSystem(name: string): () => never {
  return () => {
    throw new PlaygroundError('NO_FILE_SYSTEM', `fs.${name}: a web page has no file system; the playground reads its data from the page's static files (packages/playground/page/datasets.ts)`);
  };
}

export const existsSync = (): boolean => false;
export const readFileSync = noFileSystem('readFileSync');
export const writeFileSync = noFileSystem('writeFileSync');
export const statSync = noFileSystem('statSync');
export const mkdirSync = noFileSystem('mkdirSync');
export const readdirSync = noFileSystem('readdirSync');
export const renameSync = noFileSystem('renameSync');
export const rmSync = noFileSystem('rmSync');
export const unlinkSync = noFileSystem('unlinkSync');
export const openSync = noFileSystem('openSync');
export const closeSync = noFileSystem('closeSync');
export const writeSync = noFileSystem('writeSync');
export const fsyncSync = noFileSystem('fsyncSync');
export const createReadStream = noFileSystem('createReadStream');
export const createWriteStream = noFileSystem('createWriteStream');
export const promises = {};
export default { existsSync, readFileSync, writeFileSync, statSync, mkdirSync, readdirSync, renameSync, rmSync, unlinkSync, openSync, closeSync, writeSync, fsyncSync, createReadStream, createWriteStream, promises };
