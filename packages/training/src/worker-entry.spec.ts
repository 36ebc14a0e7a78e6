import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { workerEntry } from './worker-entry';

describe('workerEntry', () => {
  it('from the sources: the .ts worker beside the caller, ts-node preloaded with the repository tsconfig', () => {
    const entry = workerEntry(path.join(__dirname, 'train.ts'), 'worker-entry');
    expect(entry.fromSources).toBe(true);
    expect(entry.file).toBe(path.join(__dirname, 'worker-entry.ts'));
    expect(entry.execArgv).toEqual(['-r', require.resolve('ts-node/register')]);
    expect(entry.env.TS_NODE_PROJECT).toBe(path.resolve(__dirname, '..', '..', '..', 'tsconfig.json'));
    expect(fs.existsSync(entry.env.TS_NODE_PROJECT)).toBe(true);
  });

  it('from a build: the compiled .cjs worker beside the bundle, no loader', () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-worker-entry-'));
    try {
      fs.writeFileSync(path.join(dist, 'child.cjs'), '');
      expect(workerEntry(path.join(dist, 'index.cjs'), 'child')).toEqual({ file: path.join(dist, 'child.cjs'), execArgv: [], env: {}, fromSources: false });
      expect(workerEntry(path.join(dist, 'index.mjs'), 'child').file).toBe(path.join(dist, 'child.cjs'));
      expect(() => workerEntry(path.join(dist, 'index.cjs'), 'trial-worker')).toThrow(expect.objectContaining({ code: 'WORKER_ENTRY_MISSING', message: expect.stringMatching(/rebuild the package/) }));
    } finally {
      fs.rmSync(dist, { recursive: true, force: true });
    }
  });

  it('from sources outside a checkout: says to start workers from a build', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-worker-entry-'));
    try {
      fs.writeFileSync(path.join(dir, 'child.ts'), '');
      expect(() => workerEntry(path.join(dir, 'index.ts'), 'child')).toThrow(expect.objectContaining({ code: 'WORKER_NO_TSCONFIG' }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
