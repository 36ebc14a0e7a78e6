/**
 * Bundlers drop modules of a `sideEffects: false` package that nothing imports by name. The
 * fused recurrent path registers itself when @loopflow/cells is imported (cells/src/fused/index.ts
 * installs the default layer runner), so cells declares that one file in `sideEffects`: a bundle
 * that uses only `runRecurrent` (the comparison's bundled workers, a page that never names a
 * fused export) must still run the fused kernels, not the composed path.
 */
import { buildSync } from 'esbuild';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..');

it('a bundle that names no fused export still gets the fused layer runner', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-side-effects-'));
  try {
    // Inside the repository so that tsconfig.base.json's paths resolve @loopflow/* to the sources.
    const entry = path.join(root, 'tools', `.side-effects-entry-${process.pid}.ts`);
    fs.writeFileSync(entry, "import { getLayerRunner } from '@loopflow/cells';\nconsole.log(getLayerRunner() ? 'fused' : 'none');\n");
    try {
      buildSync({ entryPoints: [entry], outfile: path.join(dir, 'out.cjs'), bundle: true, platform: 'node', format: 'cjs', tsconfig: path.join(root, 'tsconfig.base.json'), logLevel: 'silent' });
    } finally {
      fs.rmSync(entry, { force: true });
    }
    const env = { ...process.env };
    delete env.LOOPFLOW_FUSED;
    expect(execFileSync(process.execPath, [path.join(dir, 'out.cjs')], { env, encoding: 'utf8' }).trim()).toBe('fused');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
