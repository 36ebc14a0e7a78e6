import { FloatArray } from '@loopflow/tensor';
import { bfloat16ToNumber, float16ToNumber } from './float16';

/** Bytes per element of every fixed-size safetensors dtype. */
export const SAFETENSORS_DTYPE_SIZES: Readonly<Record<string, number>> = Object.freeze({
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  I64: 8, U64: 8, F64: 8,
});

/** Dtypes decoded to float tensors by default. */
export const FLOAT_DTYPES: ReadonlySet<string> = new Set(['F32', 'F64', 'F16', 'BF16']);
/** Integer dtypes decoded (to float32) only with `convertIntegers`. */
export const INTEGER_DTYPES: ReadonlySet<string> = new Set(['BOOL', 'U8', 'I8', 'I16', 'U16', 'I32', 'U32', 'I64', 'U64']);

/** True on little-endian hosts (all common ones), where raw bytes can be copied as is. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Reads `out.length` elements of `dtype`, little-endian, starting at byte `offset` of `view`,
 * into `out` (converting to its element type). `byteCopy` copies the raw bytes of F32 into a
 * Float32Array (or F64 into a Float64Array) instead of reading element by element; it is
 * bit-exact (NaN payloads kept) and valid only on a little-endian host. Any alignment works.
 */
export function readElements(view: DataView, offset: number, dtype: string, out: FloatArray, byteCopy = HOST_LITTLE_ENDIAN): void {
  const n = out.length;
  const same = (dtype === 'F32' && out instanceof Float32Array) || (dtype === 'F64' && out instanceof Float64Array);
  if (same && byteCopy) {
    const src = new Uint8Array(view.buffer, view.byteOffset + offset, n * out.BYTES_PER_ELEMENT);
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(src);
    return;
  }
  switch (dtype) {
    case 'F32': for (let i = 0; i < n; i++) out[i] = view.getFloat32(offset + 4 * i, true); return;
    case 'F64': for (let i = 0; i < n; i++) out[i] = view.getFloat64(offset + 8 * i, true); return;
    case 'F16': for (let i = 0; i < n; i++) out[i] = float16ToNumber(view.getUint16(offset + 2 * i, true)); return;
    case 'BF16': for (let i = 0; i < n; i++) out[i] = bfloat16ToNumber(view.getUint16(offset + 2 * i, true)); return;
    case 'BOOL': for (let i = 0; i < n; i++) out[i] = view.getUint8(offset + i) !== 0 ? 1 : 0; return;
    case 'U8': for (let i = 0; i < n; i++) out[i] = view.getUint8(offset + i); return;
    case 'I8': for (let i = 0; i < n; i++) out[i] = view.getInt8(offset + i); return;
    case 'U16': for (let i = 0; i < n; i++) out[i] = view.getUint16(offset + 2 * i, true); return;
    case 'I16': for (let i = 0; i < n; i++) out[i] = view.getInt16(offset + 2 * i, true); return;
    case 'U32': for (let i = 0; i < n; i++) out[i] = view.getUint32(offset + 4 * i, true); return;
    case 'I32': for (let i = 0; i < n; i++) out[i] = view.getInt32(offset + 4 * i, true); return;
    case 'U64': for (let i = 0; i < n; i++) out[i] = Number(view.getBigUint64(offset + 8 * i, true)); return;
    case 'I64': for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(offset + 8 * i, true)); return;
    default: throw new Error(`readElements: no reader for dtype ${dtype}`);
  }
}

/**
 * Writes the elements of `data` at byte `offset` of `view` as little-endian F32 (a
 * Float32Array) or F64 (a Float64Array). `byteCopy` copies raw bytes (bit-exact, little-endian
 * hosts only); otherwise each element goes through DataView.
 */
export function writeElements(view: DataView, offset: number, data: FloatArray, byteCopy = HOST_LITTLE_ENDIAN): void {
  if (byteCopy) {
    new Uint8Array(view.buffer, view.byteOffset + offset, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return;
  }
  if (data instanceof Float64Array) for (let i = 0; i < data.length; i++) view.setFloat64(offset + 8 * i, data[i], true);
  else for (let i = 0; i < data.length; i++) view.setFloat32(offset + 4 * i, data[i], true);
}
