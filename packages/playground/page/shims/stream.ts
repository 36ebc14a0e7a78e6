/**
 * `stream` in a page: csv-parse (the `csv` stage's parser, bundled through the stage registry)
 * extends `Transform` at its top. The playground never reads CSV files (a page has none):
 * constructing one throws, saying so.
 */
import { PlaygroundError } from '../errors';
export class Transform {
  constructor() {
    throw new PlaygroundError('NO_FILE_SYSTEM', 'stream.Transform: a web page has no Node streams; the playground runs only the dataset stages it ships (first-names, co2)');
  }
}
export class Readable extends Transform {}
export class Writable extends Transform {}
export default { Transform, Readable, Writable };
