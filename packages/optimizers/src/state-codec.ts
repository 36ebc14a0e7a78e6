import { LoopflowError, allocate } from '@loopflow/tensor';
import type { DType, FloatArray } from '@loopflow/tensor';

/**
 * A typed array in a JSON-able form: its dtype and length, and either its bytes in base64
 * (little-endian IEEE 754, exact) or the numbers as a plain array (also exact: JSON keeps
 * every double).
 */
export type EncodedArray =
  | { dtype: DType; length: number; base64: string }
  | { dtype: DType; length: number; data: number[] };

/** How `stateDict` writes arrays: 'base64' (compact, the default) or 'array' (readable). */
export type ArrayEncoding = 'base64' | 'array';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const chunk = 3 * 4096; // a multiple of 3: padding only at the very end
  for (let start = 0; start < bytes.length; start += chunk) {
    const end = Math.min(start + chunk, bytes.length);
    let s = '';
    for (let i = start; i < end; i += 3) {
      const n = (bytes[i] << 16) | ((i + 1 < end ? bytes[i + 1] : 0) << 8) | (i + 2 < end ? bytes[i + 2] : 0);
      s += ALPHABET[(n >> 18) & 63] + ALPHABET[(n >> 12) & 63];
      s += i + 1 < end ? ALPHABET[(n >> 6) & 63] : '=';
      s += i + 2 < end ? ALPHABET[n & 63] : '=';
    }
    parts.push(s);
  }
  return parts.join('');
}

function base64ToBytes(text: string, where: string): Uint8Array {
  if (text.length % 4 !== 0) {
    throw new LoopflowError('STATE_INVALID', `${where}: base64 text of length ${text.length} is not a multiple of 4; the saved state is truncated or not base64`);
  }
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const ch = text.charCodeAt(i + k);
      const v = ch === 61 /* '=' */ && i + k >= text.length - padding ? 0 : ch < 128 ? LOOKUP[ch] : -1;
      if (v < 0) throw new LoopflowError('STATE_INVALID', `${where}: character '${text[i + k]}' at ${i + k} is not base64`);
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

/** Encodes a Float32Array / Float64Array exactly. */
export function encodeArray(values: FloatArray, encoding: ArrayEncoding = 'base64'): EncodedArray {
  const dtype: DType = values instanceof Float64Array ? 'float64' : 'float32';
  if (encoding === 'array') return { dtype, length: values.length, data: Array.from(values) };
  const width = dtype === 'float64' ? 8 : 4;
  const bytes = new Uint8Array(values.length * width);
  const view = new DataView(bytes.buffer);
  if (dtype === 'float64') for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
  else for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return { dtype, length: values.length, base64: bytesToBase64(bytes) };
}

/**
 * Decodes an EncodedArray (or a plain number array) into a new array of `dtype` (the
 * parameter's), checking its length.
 */
export function decodeArray(encoded: unknown, dtype: DType, length: number, where: string): FloatArray {
  const out = allocate(dtype, length);
  if (Array.isArray(encoded)) encoded = { dtype, length: encoded.length, data: encoded };
  const e = encoded as Partial<{ dtype: DType; length: number; base64: string; data: number[] }>;
  if (typeof e !== 'object' || e === null || (e.dtype !== 'float32' && e.dtype !== 'float64')) {
    throw new LoopflowError('STATE_INVALID', `${where}: expected an encoded array { dtype, length, base64 | data }; received ${JSON.stringify(encoded)?.slice(0, 80)}`);
  }
  if (e.length !== length) {
    throw new LoopflowError('STATE_MISMATCH', `${where}: the saved array has ${e.length} elements but the parameter has ${length}; load a state saved from the same model`);
  }
  if (Array.isArray(e.data)) {
    if (e.data.length !== length) throw new LoopflowError('STATE_INVALID', `${where}: data holds ${e.data.length} numbers, not the ${length} stated`);
    for (let i = 0; i < length; i++) out[i] = e.data[i];
    return out;
  }
  if (typeof e.base64 !== 'string') throw new LoopflowError('STATE_INVALID', `${where}: the encoded array has neither base64 nor data`);
  const bytes = base64ToBytes(e.base64, where);
  const width = e.dtype === 'float64' ? 8 : 4;
  if (bytes.length !== length * width) {
    throw new LoopflowError('STATE_INVALID', `${where}: ${bytes.length} bytes of base64 for ${length} ${e.dtype} values (expected ${length * width})`);
  }
  const view = new DataView(bytes.buffer);
  if (width === 8) for (let i = 0; i < length; i++) out[i] = view.getFloat64(i * 8, true);
  else for (let i = 0; i < length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
