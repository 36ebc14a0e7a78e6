import { DataError } from '@loopflow/data';
import { packageDir } from './package-files';

describe('packageDir', () => {
  it('finds an installed data package by walking up node_modules', () => {
    expect(packageDir('vega-datasets')).toMatch(/node_modules[\\/]vega-datasets$/);
  });

  it('names a missing package, where it looked and how to install it (DATA_DATASET_MISSING)', () => {
    let caught: unknown;
    try {
      packageDir('@loopflow/no-such-dataset');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DataError);
    expect((caught as DataError).code).toBe('DATA_DATASET_MISSING');
    expect((caught as DataError).message).toContain('npm install @loopflow/no-such-dataset');
  });
});
