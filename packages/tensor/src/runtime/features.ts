import { envVar, nodeModule } from './node';
import { webAssembly } from './webassembly';

/**
 * Feature detection for the WebAssembly builds, by validating tiny hand-written modules.
 *
 * Relaxed SIMD is on by default from Node 22 (V8 11.4+); Node 20 needs the V8 flag
 * `--experimental-wasm-relaxed-simd`. Measured on Node 20.20.2: turning the flag on at run
 * time with `v8.setFlagsFromString` works — `WebAssembly.validate` and `new WebAssembly.Module`
 * accept relaxed-SIMD code afterwards, and the code runs (FMA is ~25% faster in matmul). So
 * {@link relaxedSimdSupport} tries that before giving up. Node documents setting V8 flags after
 * start-up as unsupported, so set `LOOPFLOW_NO_V8_FLAGS=1` to forbid it (then start Node with
 * `--experimental-wasm-relaxed-simd`, e.g. through NODE_OPTIONS, to get the relaxed build).
 * Outside Node (a browser) no flag is set: relaxed SIMD is used where the engine has it.
 */

/** How relaxed SIMD became available: natively, via the run-time flag, or not at all. */
export type RelaxedSimdSupport = 'native' | 'flag' | 'unsupported';

/** 16 zero bytes of a `v128.const` immediate. */
const V128_ZERO_CONST = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];

/** A module with one function `() -> v128` whose body is `body` (locals excluded). */
function moduleWithBody(body: number[]): Uint8Array {
  const fn = [0x00, ...body, 0x0b]; // no locals, body, end
  const code = [0x01, fn.length, ...fn];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
    0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
    0x0a, code.length, ...code, // code section
  ]);
}

/** `f32x4.add(v128.const 0, v128.const 0)`. */
const SIMD_PROBE = moduleWithBody([...V128_ZERO_CONST, ...V128_ZERO_CONST, 0xfd, 0xe4, 0x01]);
/** `f32x4.relaxed_madd(0, 0, 0)` (opcode 0xfd 0x105). */
const RELAXED_PROBE = moduleWithBody([...V128_ZERO_CONST, ...V128_ZERO_CONST, ...V128_ZERO_CONST, 0xfd, 0x85, 0x02]);

let simdCache: boolean | undefined;
let relaxedCache: RelaxedSimdSupport | undefined;

function validate(bytes: Uint8Array): boolean {
  try {
    return webAssembly !== undefined && webAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/** Whether this engine runs fixed-width WebAssembly SIMD (every Node >= 16 does). */
export function simdSupported(): boolean {
  if (simdCache === undefined) simdCache = validate(SIMD_PROBE);
  return simdCache;
}

/**
 * Whether relaxed SIMD is usable, turning on `--experimental-wasm-relaxed-simd` at run time
 * if needed (and not forbidden by `LOOPFLOW_NO_V8_FLAGS=1`). The answer is cached.
 */
export function relaxedSimdSupport(): RelaxedSimdSupport {
  if (relaxedCache !== undefined) return relaxedCache;
  if (!simdSupported()) return (relaxedCache = 'unsupported');
  if (validate(RELAXED_PROBE)) return (relaxedCache = 'native');
  if (setRelaxedSimdFlag() && validate(RELAXED_PROBE)) return (relaxedCache = 'flag');
  return (relaxedCache = 'unsupported');
}

/**
 * The one place that touches the engine's flags (and reads `LOOPFLOW_NO_V8_FLAGS`): turns on
 * V8's `--experimental-wasm-relaxed-simd`; false when that is forbidden or impossible.
 */
function setRelaxedSimdFlag(): boolean {
  if (envVar('LOOPFLOW_NO_V8_FLAGS') === '1') return false;
  const v8 = nodeModule('v8');
  if (!v8) return false;
  try {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // Reported as unsupported unless the probe now validates.
  }
  return true;
}
