/**
 * The packages that run in a page import without Node and load their WebAssembly kernels
 * without reading a file (DESIGN.md; tools/build-wasm.js's header):
 *
 * 1. While tensor, layers, cells, attention, losses, optimizers, training and data's operators
 *    and generic sources are imported, every Node built-in a page lacks (fs, path, v8, os,
 *    worker_threads, child_process) throws when required or fetched through
 *    `process.getBuiltinModule`, and reading any `process.env` variable throws: importing must
 *    still succeed (no module touches Node at its top level).
 * 2. Then, with the environment back but fs and path still forbidden, a matrix product runs on
 *    the WebAssembly backend and an LSTM runs forward and backward through the fused kernels:
 *    both builds came from the bytes embedded in the packages (wasm/builds.js), not from disk.
 *
 * 3. As a page gets them: bundled by esbuild for a browser with its default options and run
 *    in a V8 context with no `process`, `require` or file system (tools/embedded-kernels-page.mjs,
 *    in a child process): the same matrix product and fused LSTM, on one thread.
 *
 * Needs the kernels built (`npm run build:wasm`, run by `npm ci`).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type * as Tensor from '@loopflow/tensor';
import type * as Cells from '@loopflow/cells';
import type * as Attention from '@loopflow/attention';

const actualFs = jest.requireActual<typeof import('fs')>('fs');
const actualPath = jest.requireActual<typeof import('path')>('path');

/** Built-ins a page lacks. */
const FORBIDDEN = ['fs', 'path', 'v8', 'os', 'worker_threads', 'child_process'] as const;

// A `require` (or a static import, which the transform turns into one) of a forbidden module
// throws, here and in every module this file loads.
jest.mock('fs', () => forbidden('fs'));
jest.mock('path', () => forbidden('path'));
jest.mock('v8', () => forbidden('v8'));
jest.mock('os', () => forbidden('os'));
jest.mock('worker_threads', () => forbidden('worker_threads'));
jest.mock('child_process', () => forbidden('child_process'));

function forbidden(name: string): never {
  throw new Error(`'${name}' was required: a package that runs in a page must not load Node built-ins at import`);
}

const root = actualPath.resolve(__dirname, '..');

/** Every source of @loopflow/data but its datasets (Node-only, leaving the package) and the index that exports them. */
function dataModules(): string[] {
  const src = actualPath.join(root, 'packages', 'data', 'src');
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of actualFs.readdirSync(dir, { withFileTypes: true })) {
      const full = actualPath.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'datasets' && entry.name !== 'testing') walk(full);
      } else if (entry.name.endsWith('.ts') && full !== actualPath.join(src, 'index.ts') && !entry.name.endsWith('.spec.ts') && !/(test|spec)-helpers\.ts$/.test(entry.name)) {
        out.push(full);
      }
    }
  };
  walk(src);
  return out.sort();
}

interface Guard {
  /** Names asked of `process.getBuiltinModule`, and env variables read. */
  readonly builtins: string[];
  readonly env: string[];
  restore(): void;
}

/**
 * Replaces `process.getBuiltinModule` by one that records the name and throws for `blocked`
 * (else returns the real module), and `process.env` by a Proxy that throws on every read when
 * `envThrows`, else records the name and reads `env`.
 */
function guardProcess(blocked: readonly string[], envThrows: boolean, env: Record<string, string | undefined>): Guard {
  const proc = process as unknown as { getBuiltinModule?: (id: string) => unknown; env: Record<string, string | undefined> };
  const realGet = proc.getBuiltinModule;
  const realEnv = proc.env;
  const guard: Guard = {
    builtins: [],
    env: [],
    restore: () => {
      proc.getBuiltinModule = realGet;
      proc.env = realEnv;
    },
  };
  proc.getBuiltinModule = (id: string) => {
    guard.builtins.push(id);
    if (blocked.includes(id.replace(/^node:/, ''))) throw new Error(`process.getBuiltinModule('${id}') was called`);
    return realGet?.call(process, id);
  };
  proc.env = new Proxy(env, {
    get(target, key) {
      if (typeof key === 'symbol') return Reflect.get(target, key);
      if (envThrows) throw new Error(`process.env.${key} was read at import`);
      guard.env.push(key);
      return target[key];
    },
    has(target, key) {
      if (envThrows) throw new Error(`process.env has '${String(key)}' was asked at import`);
      return key in target;
    },
    ownKeys(target) {
      if (envThrows) throw new Error('process.env was listed at import');
      return Reflect.ownKeys(target);
    },
  });
  return guard;
}

describe('packages that run in a page', () => {
  it('import with no Node built-in and no environment, then run the WebAssembly kernels from their embedded bytes', () => {
    const files = dataModules();
    expect(files.length).toBeGreaterThan(20);
    let tensor!: typeof Tensor;
    let cells!: typeof Cells;
    let attention!: typeof Attention;

    // 1. Import with everything Node-only forbidden.
    const importing = guardProcess(FORBIDDEN, true, {});
    try {
      jest.isolateModules(() => {
        tensor = require('@loopflow/tensor');
        require('@loopflow/layers');
        cells = require('@loopflow/cells');
        attention = require('@loopflow/attention');
        require('@loopflow/losses');
        require('@loopflow/optimizers');
        require('@loopflow/training');
        for (const file of files) require(file);
        // Once the datasets have left @loopflow/data, its whole public API is held to the rule too.
        if (!actualFs.existsSync(actualPath.join(root, 'packages', 'data', 'src', 'datasets'))) require('@loopflow/data');
      });
    } finally {
      importing.restore();
    }
    expect(importing.builtins).toEqual([]);

    // 2. Run, with the environment back (minus the settings that would change the source of
    //    the bytes or the backend) and the file system still forbidden.
    const env: Record<string, string | undefined> = { ...process.env };
    for (const key of ['LOOPFLOW_WASM_DIR', 'LOOPFLOW_CELLS_WASM_DIR', 'LOOPFLOW_BACKEND', 'LOOPFLOW_FUSED', 'LOOPFLOW_FUSED_VARIANT', 'LOOPFLOW_ATTENTION_WASM_DIR', 'LOOPFLOW_ATTENTION_PATH']) delete env[key];
    const running = guardProcess(['fs', 'path', 'child_process'], false, env);
    try {
      const { Random, matmul, sum, setBackend, getBackendName } = tensor;
      setBackend('wasm');
      expect(getBackendName()).toMatch(/^wasm-(simd|relaxed)$/);
      const rng = new Random(7);
      const a = tensor.uniform(rng, [33, 17], -1, 1);
      const b = tensor.uniform(rng, [17, 9], -1, 1);
      const c = matmul(a, b);
      let worst = 0;
      for (let i = 0; i < 33; i++) {
        for (let j = 0; j < 9; j++) {
          let want = 0;
          for (let k = 0; k < 17; k++) want += a.data[i * 17 + k] * b.data[k * 9 + j];
          worst = Math.max(worst, Math.abs(c.data[i * 9 + j] - want));
        }
      }
      expect(worst).toBeLessThan(1e-5);

      // The fused LSTM, forward and backward, against the composed path.
      let fusedCalls = 0;
      const fused: Cells.LayerRunner = (args) => {
        const result = cells.fusedLayerRunner(args);
        if (result) fusedCalls++;
        return result;
      };
      const lstm = cells.createLSTM(new Random(3), { inputSize: 5, hiddenSize: 8 });
      const x = tensor.uniform(new Random(4), [6, 2, 5], -1, 1);
      const run = (runner: Cells.LayerRunner | null): { out: Float32Array; grad: Float32Array } => {
        const previous = cells.setLayerRunner(runner);
        try {
          for (const [, p] of cells.recurrentParameters(lstm)) p.grad = null;
          const { output } = cells.runRecurrent(lstm, x);
          sum(output).backward();
          return { out: Float32Array.from(output.data), grad: Float32Array.from(cells.parameterOf(lstm, 'weight_hh_l0').grad!.data) };
        } finally {
          cells.setLayerRunner(previous);
        }
      };
      expect(cells.getLayerRunner()).toBe(cells.fusedLayerRunner); // the default, decided on first use
      const viaFused = run(fused);
      expect(fusedCalls).toBe(1);
      expect(cells.fusedKernelsAvailable()).toBe(true);
      const composed = run(null);
      for (const [got, want] of [[viaFused.out, composed.out], [viaFused.grad, composed.grad]]) {
        let diff = 0;
        for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]));
        expect(diff).toBeLessThan(1e-4);
      }

      // Fused attention (its own embedded kernels), forward and backward, against the composed path.
      const q = tensor.uniform(new Random(5), [2, 2, 7, 4], -1, 1);
      q.requiresGrad = true;
      const attend = (path: 'fused' | 'composed'): { out: Float32Array; grad: Float32Array } => {
        const previous = attention.setAttentionPath(path);
        try {
          q.grad = null;
          const { output } = attention.scaledDotProductAttention(q, q, q, { causal: true, returnWeights: false });
          sum(output).backward();
          return { out: Float32Array.from(output.data), grad: Float32Array.from(q.grad!.data) };
        } finally {
          attention.setAttentionPath(previous);
        }
      };
      expect(attention.fusedAttentionAvailable()).toBe(true);
      const viaKernels = attend('fused');
      const reference = attend('composed');
      for (const [got, want] of [[viaKernels.out, reference.out], [viaKernels.grad, reference.grad]]) {
        let diff = 0;
        for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]));
        expect(diff).toBeLessThan(1e-4);
      }
    } finally {
      running.restore();
    }
    // No file was read for the kernels: fs and path were never asked for.
    expect(running.builtins.filter((id) => ['fs', 'path'].includes(id.replace(/^node:/, '')))).toEqual([]);
  });

  it("bundle for a browser with esbuild's defaults and run in a context without Node", () => {
    const { execFileSync } = jest.requireActual<typeof import('child_process')>('child_process');
    let stdout: string;
    try {
      stdout = execFileSync(process.execPath, [actualPath.join(__dirname, 'embedded-kernels-page.mjs')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      throw new Error(`tools/embedded-kernels-page.mjs failed:\n${(err as { stderr?: string }).stderr ?? String(err)}`);
    }
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as {
      backend: string; fused: { variant: string; threads: number } | null; defaultRunner: boolean; fusedCalls: number;
      matmulError: number; lstmError: number; gradError: number;
    };
    expect(result.backend).toMatch(/^wasm-(simd|relaxed)$/);
    expect(result.fused).not.toBeNull();
    expect(result.fused!.threads).toBe(1); // no worker threads in a page
    expect(result.defaultRunner).toBe(true);
    expect(result.fusedCalls).toBe(1);
    expect(result.matmulError).toBeLessThan(1e-5);
    expect(result.lstmError).toBeLessThan(1e-4);
    expect(result.gradError).toBeLessThan(1e-4);
  });
});
