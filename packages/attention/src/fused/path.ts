import { LoopflowError, Tensor, envVar } from '@loopflow/tensor';
import { AttentionKernels, attentionKernels } from './kernels';

/**
 * Which implementation `scaledDotProductAttention` and `multiHeadAttention` use:
 * - `'auto'` (default): the fused WebAssembly kernels when they are available and the call can
 *   take them (float32, `returnWeights: false`), the composed path otherwise;
 * - `'fused'`: always the fused kernels; a call they cannot take throws `FUSED_ATTENTION_UNAVAILABLE`;
 * - `'composed'`: always the composed path (tensor primitives, autograd): the reference.
 */
export type AttentionPath = 'auto' | 'fused' | 'composed';

/** The environment variable read (once, on first use) for the initial path. */
export const ATTENTION_PATH_ENV = 'LOOPFLOW_ATTENTION_PATH';
const PATHS: readonly AttentionPath[] = ['auto', 'fused', 'composed'];

let current: AttentionPath | undefined;

/**
 * The path in force: set by `setAttentionPath`, else `LOOPFLOW_ATTENTION_PATH` (auto, fused or
 * composed), else `'auto'`.
 * @throws LoopflowError `INVALID_ARGUMENT` when `LOOPFLOW_ATTENTION_PATH` holds something else.
 */
export function getAttentionPath(): AttentionPath {
  if (current === undefined) {
    const raw = envVar(ATTENTION_PATH_ENV);
    if (raw !== undefined && raw !== '' && !PATHS.includes(raw as AttentionPath)) {
      throw new LoopflowError('INVALID_ARGUMENT', `${ATTENTION_PATH_ENV}=${raw} is not valid: expected one of ${PATHS.join(', ')}`);
    }
    current = raw ? (raw as AttentionPath) : 'auto';
  }
  return current;
}

/**
 * Chooses the implementation of attention (see {@link AttentionPath}); returns the previous one.
 *
 * @example
 * const previous = setAttentionPath('composed'); // the reference path
 * try { ... } finally { setAttentionPath(previous); }
 */
export function setAttentionPath(path: AttentionPath): AttentionPath {
  if (!PATHS.includes(path)) {
    throw new LoopflowError('INVALID_ARGUMENT', `setAttentionPath: ${JSON.stringify(path)}; expected one of ${PATHS.join(', ')}`);
  }
  const previous = getAttentionPath();
  current = path;
  return previous;
}

/** Whether the fused attention kernels can run in this engine (SIMD, builds present); loads them on first call. */
export function fusedAttentionAvailable(): boolean {
  return attentionKernels() !== null;
}

/**
 * The kernels for a call, or null for the composed path. A call takes the fused path when the
 * path is not `'composed'`, its tensors are float32, it asks for no weights and the kernels load.
 * @throws LoopflowError `FUSED_ATTENTION_UNAVAILABLE` under `'fused'` when the call cannot take it.
 */
export function fusedKernelsFor(where: string, tensors: readonly Tensor[], returnWeights: boolean): AttentionKernels | null {
  const path = getAttentionPath();
  if (path === 'composed') return null;
  const other = tensors.find((t) => t.dtype !== 'float32');
  const why =
    other !== undefined
      ? `its tensors are ${other.dtype} (the fused kernels are float32)`
      : returnWeights
        ? 'it asks for the attention weights (the fused kernels never form the [Tq, Tk] matrix; pass returnWeights: false)'
        : null;
  const kernels = why === null ? attentionKernels() : null;
  if (kernels || path === 'auto') return kernels;
  throw new LoopflowError(
    'FUSED_ATTENTION_UNAVAILABLE',
    `${where}: the fused attention path is forced (setAttentionPath('fused') or ${ATTENTION_PATH_ENV}=fused) but this call cannot take it: ` +
      `${why ?? 'the WebAssembly kernels are not available (no SIMD in this engine, or not built: run `npm run build:wasm`)'}; ` +
      "use setAttentionPath('auto') to fall back to the composed path",
  );
}
