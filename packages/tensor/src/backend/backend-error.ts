import { LoopflowError } from '../errors';

/**
 * Codes of {@link BackendError}:
 * - `BACKEND_UNKNOWN`: a backend name that does not exist (e.g. a typo in `LOOPFLOW_BACKEND`).
 * - `BACKEND_UNAVAILABLE`: a known backend that cannot run here (wasm not built, or the
 *   engine lacks a WebAssembly feature it needs).
 * - `WASM_NOT_BUILT`: a .wasm file is missing (run `npm run build:wasm`).
 * - `WASM_LOAD_FAILED`: a .wasm file exists but could not be compiled or instantiated.
 * - `WASM_MEMORY`: WebAssembly memory could not grow to the size a kernel needs.
 * - `BACKEND_CONFIG`: a malformed setting, e.g. `LOOPFLOW_THREADS=abc`.
 */
export type BackendErrorCode =
  | 'BACKEND_UNKNOWN'
  | 'BACKEND_UNAVAILABLE'
  | 'WASM_NOT_BUILT'
  | 'WASM_LOAD_FAILED'
  | 'WASM_MEMORY'
  | 'BACKEND_CONFIG';

/** An error selecting, loading or running a kernel backend. Match on `code`. */
export class BackendError extends LoopflowError {
  declare readonly code: BackendErrorCode;
  constructor(code: BackendErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message);
    this.name = 'BackendError';
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}
