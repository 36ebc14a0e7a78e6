/**
 * matmul bench: GFLOP/s (2 m k n / time) of every float32 matmul implementation, through the
 * `Kernels` interface (so the wasm figures include copying operands in and out of
 * WebAssembly memory), for square sizes and the recurrent shape [32 x 192] x [192 x 512].
 *
 *     npm run bench -- matmul [--json] [--sizes=64,256] [--impls=reference,wasm-relaxed]
 *
 * Timing: each case first runs for ~0.25 s (V8 compiles wasm with its baseline compiler first
 * and tiers up in the background), then takes the best of up to 5 timed batches of >= 40 ms.
 * The reference kernel at the large sizes gets a time budget instead (a single 1024^3 product
 * takes seconds), so the whole bench stays around a minute.
 *
 * Relaxed SIMD needs `--experimental-wasm-relaxed-simd` on Node 20; the backend turns it on
 * at run time (v8.setFlagsFromString), so no re-exec or NODE_OPTIONS is needed.
 */
import type { Bench, BenchContext } from './types';
import { createThreadedWasmKernels, createWasmKernels, referenceKernels, relaxedSimdSupport } from '@loopflow/tensor';
import type { Kernels, MatmulThreadPool } from '@loopflow/tensor';
import { parseArgs, UsageError } from '@loopflow/benchmark';
import type { OptionSpec } from '@loopflow/benchmark';
import { BenchError } from './errors';

interface Impl {
  readonly name: string;
  readonly kernels: Kernels;
  /** Seconds one case may take at most (warm-up plus timing) - for the slow reference. */
  readonly budget: number;
}

type Shape = readonly [m: number, k: number, n: number];

const DEFAULT_SIZES = [64, 128, 256, 512, 1024];

/** The usage text (`--help`). */
export const MATMUL_USAGE = [
  'usage: npm run bench -- matmul [--json] [--sizes=64,256] [--impls=reference,wasm-relaxed]',
  '  --sizes LIST  square sizes (default 64,128,256,512,1024 and the recurrent shape [32 x 192] x [192 x 512])',
  '  --impls LIST  of reference, wasm-simd, wasm-relaxed, wasm-simd-2t, wasm-relaxed-2t (default: all available)',
  '  --json        one JSON line per result on stdout',
].join('\n');
const RECURRENT: Shape = [32, 192, 512];

/** The options of the matmul bench, for the shared parser. */
export const MATMUL_OPTIONS: Record<string, OptionSpec> = {
  sizes: { type: 'list', value: 'LIST', description: 'square sizes' },
  impls: { type: 'list', value: 'LIST', choices: ['reference', 'wasm-simd', 'wasm-relaxed', 'wasm-simd-2t', 'wasm-relaxed-2t'], description: 'implementations' },
  help: { type: 'flag', short: 'h', description: 'this text' },
};

/** The matmul bench's options (`--sizes 64,256` or `--sizes=64,256`); BenchError BENCH_OPTION naming the flag. */
export function parseMatmulOptions(args: readonly string[]): { sizes?: number[]; impls?: string[]; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs(args, MATMUL_OPTIONS);
  } catch (e) {
    throw e instanceof UsageError ? new BenchError('BENCH_OPTION', `${e.message}${e.hint ? `; ${e.hint}` : ''}`) : e;
  }
  if (parsed.positionals.length > 0) throw new BenchError('BENCH_OPTION', `unexpected argument '${parsed.positionals[0]}'; the matmul bench takes only options (see --help)`);
  const sizes = (parsed.options.sizes as string[] | undefined)?.map((text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > 8192) throw new BenchError('BENCH_OPTION', `option '--sizes': '${text}' is not a whole number from 1 to 8192; e.g. --sizes 64,256`);
    return n;
  });
  return { ...(sizes ? { sizes } : {}), ...(parsed.options.impls ? { impls: parsed.options.impls as string[] } : {}), help: Boolean(parsed.options.help) };
}

function now(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

/** Best seconds per call of `fn`, with warm-up, within `budget` seconds. */
function timeCall(fn: () => void, budget: number): number {
  // Warm-up: at least one call, then until ~0.25 s (or the budget) has passed.
  const start = now();
  let first = now();
  fn();
  let perCall = now() - first;
  while (now() - start < Math.min(0.25, budget / 3)) {
    first = now();
    fn();
    perCall = Math.min(perCall, now() - first);
  }
  const batch = Math.max(1, Math.ceil(0.04 / Math.max(perCall, 1e-7)));
  let best = Infinity;
  for (let rep = 0; rep < 5; rep++) {
    if (rep > 0 && now() - start > budget) break;
    const t = now();
    for (let i = 0; i < batch; i++) fn();
    best = Math.min(best, (now() - t) / batch);
  }
  return best;
}

function randomFloats(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296 - 0.5;
  }
  return out;
}

function makeImpls(selected: string[] | undefined, ctx: BenchContext): { impls: Impl[]; pools: MatmulThreadPool[] } {
  const impls: Impl[] = [];
  const pools: MatmulThreadPool[] = [];
  const want = (name: string): boolean => selected === undefined || selected.includes(name);
  if (want('reference')) impls.push({ name: 'reference', kernels: referenceKernels, budget: 4 });
  for (const variant of ['simd', 'relaxed'] as const) {
    const name = `wasm-${variant}`;
    if (want(name)) {
      try {
        impls.push({ name, kernels: createWasmKernels(variant, { matmulMinWork: 0 }), budget: 3 });
      } catch (err) {
        ctx.log(`skipping ${name}: ${(err as Error).message}`);
      }
    }
    if (want(`${name}-2t`)) {
      try {
        const { kernels, pool } = createThreadedWasmKernels(variant, { matmulMinWork: 0, parallelMinWork: 0 });
        if (!pool.waitUntilReady(10000)) throw new Error('helper thread did not start');
        pools.push(pool);
        impls.push({ name: `${name}-2t`, kernels, budget: 3 });
      } catch (err) {
        ctx.log(`skipping ${name}-2t: ${(err as Error).message}`);
      }
    }
  }
  return { impls, pools };
}

function pad(text: string, width: number): string {
  return text.padStart(width);
}

/** The matmul bench. */
export const matmulBench: Bench = {
  description: 'GFLOP/s of reference and wasm matmul (square 64..1024 and [32x192]x[192x512])',
  usage: MATMUL_USAGE,
  run(ctx) {
    const options = parseMatmulOptions(ctx.args);
    if (options.help) {
      ctx.log(MATMUL_USAGE);
      return;
    }
    const sizes = options.sizes ?? DEFAULT_SIZES;
    const shapes: Shape[] = sizes.map((s) => [s, s, s] as const);
    if (options.sizes === undefined) shapes.push(RECURRENT);
    const { impls, pools } = makeImpls(options.impls, ctx);
    try {
      ctx.log(
        `matmul, float32, GFLOP/s (best of up to 5), Node ${process.version}, relaxed SIMD: ${relaxedSimdSupport()}` +
          ' (flag = enabled at run time with v8.setFlagsFromString)',
      );
      const width = Math.max(14, ...impls.map((i) => i.name.length + 2));
      ctx.log(['shape'.padEnd(16), ...impls.map((i) => pad(i.name, width))].join(''));
      for (const [m, k, n] of shapes) {
        const a = randomFloats(m * k, 1);
        const b = randomFloats(k * n, 2);
        const cells: string[] = [];
        for (const impl of impls) {
          const out = new Float32Array(m * n);
          const seconds = timeCall(() => impl.kernels.matmul(a, b, out, m, k, n), impl.budget);
          const gflops = Math.round(((2 * m * k * n) / seconds / 1e9) * 100) / 100;
          ctx.emit({ bench: 'matmul', impl: impl.name, m, k, n, gflops });
          cells.push(pad(gflops.toFixed(2), width));
        }
        ctx.log([`${m}x${k}x${n}`.padEnd(16), ...cells].join(''));
      }
      const backoffs = pools.reduce((sum, pool) => sum + pool.backoffCount, 0);
      if (pools.length > 0) {
        ctx.log(
          `2-thread (-2t) rows include the library's back-off: ${backoffs} time(s) a pool fell back to one ` +
            'thread because its helper was not being scheduled (0 on an otherwise idle machine).',
        );
      }
    } finally {
      for (const pool of pools) pool.close();
    }
  },
};
