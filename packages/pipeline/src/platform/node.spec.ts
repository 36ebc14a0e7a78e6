import * as fs from 'fs';
import * as nodePath from 'path';
import { filePaths, nodeBuiltin, nodePackage, posixFilePaths } from './node';

describe("the modules a page bundles reach Node on use (platform/node.ts)", () => {
  it('in Node: the built-ins, the Node-only packages (resolved from pipeline) and Node\'s path', () => {
    expect(nodeBuiltin('fs', 'reading').readFileSync).toBe(fs.readFileSync);
    expect(typeof nodePackage<typeof import('@loopflow/datasets')>('@loopflow/datasets', 'a dataset').loadFirstNames).toBe('function');
    expect(filePaths().resolve).toBe(nodePath.resolve);
  });

  it('outside Node: a NODE_ONLY error naming the feature, and the POSIX fallback for names', () => {
    jest.isolateModules(() => {
      jest.doMock('@loopflow/tensor', () => ({ ...jest.requireActual('@loopflow/tensor'), isNode: () => false, nodeModule: () => undefined }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const page = require('./node') as typeof import('./node');
      expect(() => page.nodeBuiltin('fs', 'writing run/model.json')).toThrow(expect.objectContaining({ code: 'NODE_ONLY', message: expect.stringMatching(/^writing run\/model\.json needs Node\.js .*runDir: null/) }));
      expect(() => page.nodePackage('@loopflow/datasets', "the dataset stage 'co2'")).toThrow(expect.objectContaining({ code: 'NODE_ONLY', message: expect.stringMatching(/^the dataset stage 'co2' needs Node\.js/) }));
      expect(page.filePaths()).toBe(page.posixFilePaths);
    });
    jest.dontMock('@loopflow/tensor');
  });

  it.each([
    ['resolve', ['/']],
    ['resolve', ['/a/b', '../c', './d']],
    ['resolve', ['/a', '/b', 'c']],
    ['resolve', ['/defs', 'data/../x.csv']],
    ['join', ['a', '..', '..', 'b']],
    ['join', ['/a/', 'b/', 'c.txt']],
    ['join', ['run', 'checkpoints']],
    ['dirname', ['/a/b/c']],
    ['dirname', ['a']],
    ['dirname', ['/a']],
  ] as ['resolve' | 'join' | 'dirname', string[]][])('the POSIX fallback %s(%j) is Node path.posix', (name, args) => {
    const fallback = posixFilePaths[name] as (...a: string[]) => string;
    const node = nodePath.posix[name] as (...a: string[]) => string;
    expect(fallback(...args)).toBe(node(...args));
  });
});
