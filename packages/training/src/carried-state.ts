import { Tensor, fromArray } from '@loopflow/tensor';
import type { DType } from '@loopflow/tensor';
import { TrainError } from './errors';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The carried state with no gradient history: every Tensor found in it (directly, in arrays or
 * in plain objects such as `{ h, c }`) is detached; anything else is kept as is.
 *
 * @example detachCarried({ h, c }) // { h: h.detach(), c: c.detach() }
 */
export function detachCarried<S>(state: S): S {
  const walk = (value: unknown): unknown => {
    if (value instanceof Tensor) return value.detach();
    if (Array.isArray(value)) return value.map(walk);
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) out[key] = walk(value[key]);
      return out;
    }
    return value;
  };
  return walk(state) as S;
}

/** A carried state as JSON: tensors as `{ $tensor: { dtype, shape, base64 } }` (bytes exact). */
export type EncodedValue = null | boolean | number | string | EncodedValue[] | { [key: string]: EncodedValue };

function toBase64(t: Tensor): string {
  const d = t.data;
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('base64');
}

function fromBase64(text: string, dtype: DType, shape: number[], where: string): Tensor {
  const bytes = Buffer.from(text, 'base64');
  const width = dtype === 'float64' ? 8 : 4;
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== size * width) {
    throw new TrainError('CHECKPOINT_INVALID', `${where}: ${bytes.length} bytes for a ${dtype} tensor of shape [${shape.join(',')}] (expected ${size * width}); the checkpoint is damaged`);
  }
  const copy = new Uint8Array(bytes); // aligned, own buffer
  const data = dtype === 'float64' ? new Float64Array(copy.buffer) : new Float32Array(copy.buffer);
  return fromArray(data, shape);
}

/**
 * Encodes a carried state (tensors, numbers, strings, booleans, null, arrays, plain objects)
 * as JSON for a mid-epoch checkpoint; tensor bytes are kept exactly (host byte order,
 * little-endian on every supported platform).
 */
export function encodeCarried(state: unknown, where = 'state'): EncodedValue {
  if (state === undefined || state === null) return null;
  if (state instanceof Tensor) return { $tensor: { dtype: state.dtype, shape: state.shape.slice(), base64: toBase64(state) } };
  if (typeof state === 'number' || typeof state === 'string' || typeof state === 'boolean') return state;
  if (Array.isArray(state)) return state.map((v, i) => encodeCarried(v, `${where}[${i}]`));
  if (isPlainObject(state)) {
    const out: { [key: string]: EncodedValue } = {};
    for (const key of Object.keys(state)) {
      if (key === '$tensor') throw new TrainError('INVALID_ARGUMENT', `${where}: the key '$tensor' is reserved; rename it`);
      out[key] = encodeCarried(state[key], `${where}.${key}`);
    }
    return out;
  }
  throw new TrainError('INVALID_ARGUMENT', `checkpoint: the carried state at ${where} is a ${typeof state === 'object' ? (state as object).constructor?.name ?? 'object' : typeof state}, which cannot be saved; keep the state to tensors, numbers, arrays and plain objects, or checkpoint at epoch ends only (checkpoint.every: 'epoch')`);
}

/** The inverse of {@link encodeCarried}. */
export function decodeCarried(encoded: EncodedValue, where = 'carriedState'): unknown {
  if (encoded === null || typeof encoded !== 'object') return encoded;
  if (Array.isArray(encoded)) return encoded.map((v, i) => decodeCarried(v, `${where}[${i}]`));
  const t = encoded.$tensor as { dtype?: unknown; shape?: unknown; base64?: unknown } | undefined;
  if (t !== undefined) {
    const ok = (t.dtype === 'float32' || t.dtype === 'float64') && Array.isArray(t.shape) && t.shape.every((d) => Number.isInteger(d) && (d as number) >= 0) && typeof t.base64 === 'string';
    if (!ok) throw new TrainError('CHECKPOINT_INVALID', `${where}: a malformed tensor entry; the checkpoint is damaged`);
    return fromBase64(t.base64 as string, t.dtype as DType, t.shape as number[], where);
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(encoded)) out[key] = decodeCarried(encoded[key], `${where}.${key}`);
  return out;
}
