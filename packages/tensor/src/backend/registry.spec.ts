import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BackendError } from './backend-error';
import { referenceKernels } from './reference';
import * as registry from './registry';
import { withFallback } from './with-fallback';

type Registry = typeof registry;

const ENV_KEYS = ['LOOPFLOW_BACKEND', 'LOOPFLOW_WASM_DIR', 'LOOPFLOW_THREADS'] as const;
const savedEnv: Record<string, string | undefined> = {};

beforeEach(() => {
  for (const key of ENV_KEYS) {
    savedEnv[key] = process.env[key];
    delete process.env[key];
  }
  registry.resetBackendForTesting();
});

afterEach(() => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  registry.resetBackendForTesting();
  jest.restoreAllMocks();
});

/**
 * The thrown error, for matching its code and message. (Registries loaded through
 * jest.isolateModules have their own copy of the BackendError class, hence the duck typing.)
 */
function thrown(fn: () => unknown): BackendError {
  try {
    fn();
  } catch (err) {
    if (err instanceof Error && (err as BackendError).code !== undefined && err.name === 'BackendError') {
      return err as BackendError;
    }
    throw new Error(`expected a BackendError, got ${String(err)}`);
  }
  throw new Error('expected an error, none was thrown');
}

/** A fresh copy of the registry (and its loaders), e.g. to see new environment settings. */
function freshRegistry(): Registry {
  let fresh: Registry | undefined;
  jest.isolateModules(() => {
    fresh = require('./registry') as Registry;
  });
  return fresh!;
}

/** A fresh registry whose wasm folder is empty. */
function registryWithoutWasm(): Registry {
  process.env['LOOPFLOW_WASM_DIR'] = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-no-wasm-'));
  return freshRegistry();
}

describe('backend registry', () => {
  it('lists every backend when the wasm is built (CI builds it on npm ci)', () => {
    expect(registry.availableBackends()).toEqual(['reference', 'wasm-simd', 'wasm-relaxed']);
  });

  it('chooses the fastest backend by default', () => {
    expect(registry.getBackendName()).toBe('wasm-relaxed');
    expect(registry.getKernels('float32').name).toBe('wasm-relaxed');
  });

  it('always uses the reference kernels for float64', () => {
    registry.setBackend('wasm-simd');
    expect(registry.getKernels('float64')).toBe(referenceKernels);
  });

  it.each([
    ['reference', 'reference'],
    ['wasm-simd', 'wasm-simd'],
    ['wasm-relaxed', 'wasm-relaxed'],
    ['wasm', 'wasm-relaxed'],
    ['auto', 'wasm-relaxed'],
  ] as const)('setBackend(%s) activates %s', (requested, expected) => {
    registry.setBackend(requested);
    expect(registry.getBackendName()).toBe(expected);
    expect(registry.getKernels('float32').name).toBe(expected);
  });

  it('returns working float32 kernels from the active backend', () => {
    registry.setBackend('wasm-simd');
    const out = new Float32Array(4);
    registry.getKernels('float32').matmul(Float32Array.from([1, 2, 3, 4]), Float32Array.from([5, 6, 7, 8]), out, 2, 2, 2);
    expect(Array.from(out)).toEqual([19, 22, 43, 50]);
  });

  it('rejects an unknown name with code BACKEND_UNKNOWN and keeps the active backend', () => {
    registry.setBackend('wasm-simd');
    const err = thrown(() => registry.setBackend('gpu' as never));
    expect(err.code).toBe('BACKEND_UNKNOWN');
    expect(err.message).toContain("'gpu'");
    expect(err.message).toContain('wasm-relaxed');
    expect(registry.getBackendName()).toBe('wasm-simd');
  });

  it('reads LOOPFLOW_BACKEND on first use', () => {
    process.env['LOOPFLOW_BACKEND'] = 'wasm-simd';
    expect(registry.getKernels('float32').name).toBe('wasm-simd');
    registry.resetBackendForTesting();
    process.env['LOOPFLOW_BACKEND'] = 'reference';
    expect(registry.getBackendName()).toBe('reference');
  });

  it('reports a bad LOOPFLOW_BACKEND clearly', () => {
    process.env['LOOPFLOW_BACKEND'] = 'fastest';
    const err = thrown(() => registry.getKernels('float32'));
    expect(err.code).toBe('BACKEND_UNKNOWN');
    expect(err.message).toContain('LOOPFLOW_BACKEND=fastest');
  });

  describe('threads', () => {
    it('uses two threads for large wasm products on a machine with two cores', () => {
      registry.setBackend('wasm-relaxed');
      expect(registry.getBackendThreads()).toBe(Math.min(2, os.availableParallelism()));
      registry.setBackend('reference');
      expect(registry.getBackendThreads()).toBe(1);
    });

    it('follows LOOPFLOW_THREADS', () => {
      process.env['LOOPFLOW_THREADS'] = '1';
      const fresh = freshRegistry();
      fresh.setBackend('wasm-simd');
      expect(fresh.getBackendThreads()).toBe(1);
      expect(fresh.getKernels('float32').name).toBe('wasm-simd');
    });

    it('rejects a malformed LOOPFLOW_THREADS with code BACKEND_CONFIG', () => {
      process.env['LOOPFLOW_THREADS'] = 'many';
      const fresh = freshRegistry();
      const err = thrown(() => fresh.setBackend('wasm-relaxed'));
      expect(err.code).toBe('BACKEND_CONFIG');
      expect(err.message).toContain('LOOPFLOW_THREADS=many');
    });
  });

  describe('when the wasm is not built', () => {
    it('throws BACKEND_UNAVAILABLE for a wasm backend, saying what is available and how to build', () => {
      const fresh = registryWithoutWasm();
      expect(fresh.availableBackends()).toEqual(['reference']);
      for (const name of ['wasm', 'wasm-simd', 'wasm-relaxed'] as const) {
        const err = thrown(() => fresh.setBackend(name));
        expect(err).toBeInstanceOf(Error);
        expect(err.code).toBe('BACKEND_UNAVAILABLE');
        expect(err.message).toContain('Available: reference');
        expect(err.message).toContain('npm run build:wasm');
      }
    });

    it('throws on first use when LOOPFLOW_BACKEND asks for wasm', () => {
      const fresh = registryWithoutWasm();
      process.env['LOOPFLOW_BACKEND'] = 'wasm';
      const err = thrown(() => fresh.getKernels('float32'));
      expect(err.code).toBe('BACKEND_UNAVAILABLE');
      expect(err.message).toContain('LOOPFLOW_BACKEND=wasm');
    });

    it("falls back to the reference under 'auto' with one warning on stderr", () => {
      const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      const fresh = registryWithoutWasm();
      expect(fresh.getBackendName()).toBe('reference');
      fresh.setBackend('auto');
      expect(fresh.getKernels('float32').name).toBe('reference');
      const warnings = write.mock.calls.map((call) => String(call[0])).filter((text) => text.includes('loopflow'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('npm run build:wasm');
    });
  });
});

describe('withFallback', () => {
  it('takes the kernels a backend lacks from the fallback', () => {
    const calls: string[] = [];
    const partial = {
      name: 'partial',
      unary(): void {
        calls.push('unary');
      },
    };
    const kernels = withFallback(partial, referenceKernels);
    expect(kernels.name).toBe('partial');
    kernels.unary('neg', new Float32Array(1), new Float32Array(1));
    expect(calls).toEqual(['unary']);
    const out = new Float32Array(2);
    kernels.binary('add', Float32Array.from([1, 2]), Float32Array.from([3, 4]), out);
    expect(Array.from(out)).toEqual([4, 6]);
  });
});
