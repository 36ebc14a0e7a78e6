import * as fs from 'fs';
import * as path from 'path';

let cached: string | undefined;

/**
 * The loopflow version this process runs (@loopflow/distributed's package.json; the packages
 * are released together). Every job carries its submitter's; a worker refuses another.
 */
export function loopflowVersion(): string {
  if (cached === undefined) {
    try {
      // src/version.ts and dist/index.cjs both sit one folder below package.json
      cached = String((JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: unknown }).version);
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
