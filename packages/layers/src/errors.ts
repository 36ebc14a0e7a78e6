import { LoopflowError } from '@loopflow/tensor';

/**
 * Error codes raised by @loopflow/layers (each thrown as a `LoopflowError` with this `code`):
 * - `INVALID_ARGUMENT`: a size or probability out of range when creating a module.
 * - `UNKNOWN_MODULE`: `forward` met an object whose `kind` it does not know.
 * - `STATE_DICT_SHAPE`: `loadStateDict` found a tensor of the wrong shape.
 * - `STATE_DICT_KEYS`: `loadStateDict` (strict) found missing or unexpected keys.
 * - `SAFETENSORS_INVALID`: a malformed safetensors file.
 * - `SAFETENSORS_DTYPE`: a safetensors dtype that is not decoded.
 * - `SAFETENSORS_IO`: reading or writing a safetensors file where there is no file system (a browser).
 */
export type LayersErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNKNOWN_MODULE'
  | 'STATE_DICT_SHAPE'
  | 'STATE_DICT_KEYS'
  | 'SAFETENSORS_INVALID'
  | 'SAFETENSORS_DTYPE'
  | 'SAFETENSORS_IO';

/**
 * A malformed safetensors file: the code (`SAFETENSORS_INVALID`, `SAFETENSORS_DTYPE`), the
 * file (`source`, when known) and `path`, the JSON pointer of the place in its header
 * (`/w/shape` for tensor 'w's shape, `/__metadata__/k`, '' for the file as a whole).
 */
export class SafetensorsError extends LoopflowError {
  constructor(
    code: 'SAFETENSORS_INVALID' | 'SAFETENSORS_DTYPE',
    message: string,
    readonly path: string,
    readonly source?: string,
  ) {
    super(code, message);
    this.name = 'SafetensorsError';
  }
}

/** Throws a `LoopflowError` with a layers error code. */
export function fail(code: LayersErrorCode, message: string): never {
  throw new LoopflowError(code, message);
}

/** Checks that `value` is a positive (or, with `allowZero`, non-negative) integer. */
export function checkSize(where: string, name: string, value: number, allowZero = false): void {
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    fail('INVALID_ARGUMENT', `${where}: ${name} = ${value}; expected a ${allowZero ? 'non-negative' : 'positive'} integer`);
  }
}
