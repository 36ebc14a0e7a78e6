import { FloatArray, NodeBuiltins, Tensor, allocate, nodeModule } from '@loopflow/tensor';
import { fail, SafetensorsError } from './errors';
import { parseSafetensorsHeader, setOwn } from './safetensors-header';
import { FLOAT_DTYPES, INTEGER_DTYPES, readElements, writeElements } from './safetensors-dtypes';

/** Options of `decodeSafetensors`. */
export interface DecodeSafetensorsOptions {
  /** A file name or label used in error messages. */
  source?: string;
  /** Keep F64 tensors as float64 (default: converted to float32, the working type). */
  keepFloat64?: boolean;
  /**
   * Convert integer tensors (BOOL, U8, I8, I16, U16, I32, U32, I64, U64) to float32
   * (values beyond 2^24 in magnitude round to the nearest float32). Default false: such a
   * file is refused with `SAFETENSORS_DTYPE`.
   */
  convertIntegers?: boolean;
}

/** What `decodeSafetensors` returns. */
export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

function checkName(name: string): void {
  if (name === '' || name === '__metadata__') {
    fail('SAFETENSORS_INVALID', `encodeSafetensors: tensor name ${JSON.stringify(name)} is not allowed; use a non-empty name other than '__metadata__'`);
  }
}

/**
 * Encodes tensors as a safetensors file: an 8-byte little-endian header length N, N bytes of
 * JSON header (padded with spaces so the data starts at a multiple of 8), then the data,
 * little-endian and row-major. float32 tensors are written as F32, float64 as F64, bit for bit.
 * Deterministic: header entries in sorted name order; the data holds the F64 tensors then the
 * F32 ones, each group in sorted name order (so every tensor starts aligned to its element size).
 * `__metadata__` is written when `metadata` is given.
 *
 * @example
 * const bytes = encodeSafetensors(stateDict(model), { format: 'pt' });
 */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    checkName(name);
    if (!(tensors[name] instanceof Tensor)) {
      fail('SAFETENSORS_INVALID', `encodeSafetensors: '${name}' is ${typeof tensors[name]}; expected a Tensor`);
    }
  }
  const header: Record<string, unknown> = {};
  if (metadata) {
    const meta: Record<string, string> = {};
    for (const key of Object.keys(metadata).sort()) {
      const value = metadata[key];
      if (typeof value !== 'string') {
        fail('SAFETENSORS_INVALID', `encodeSafetensors: metadata '${key}' is ${typeof value}; expected a string (safetensors metadata maps strings to strings; JSON.stringify other values)`);
      }
      setOwn(meta, key, value);
    }
    header.__metadata__ = meta;
  }
  const layout = [...names.filter((n) => tensors[n].dtype === 'float64'), ...names.filter((n) => tensors[n].dtype !== 'float64')];
  const offsets = new Map<string, [number, number]>();
  let cursor = 0;
  for (const name of layout) {
    const length = tensors[name].data.byteLength;
    offsets.set(name, [cursor, cursor + length]);
    cursor += length;
  }
  for (const name of names) {
    const t = tensors[name];
    setOwn(header, name, { dtype: t.dtype === 'float64' ? 'F64' : 'F32', shape: t.shape.slice(), data_offsets: offsets.get(name) });
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const bytes = new Uint8Array(8 + headerLength + cursor);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, headerLength, true); // high 32 bits stay 0
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length, 8 + headerLength); // space padding
  for (const name of layout) {
    writeElements(view, 8 + headerLength + (offsets.get(name) as [number, number])[0], tensors[name].data);
  }
  return bytes;
}

/**
 * Decodes a safetensors file from its bytes (any byte offset, e.g. a Node Buffer).
 * F32 is read as is (bit-exact); F16 and BF16 convert exactly to float32; F64 converts to
 * float32 unless `keepFloat64`. Integer dtypes are refused with `SAFETENSORS_DTYPE` unless
 * `convertIntegers`; F8 dtypes are always refused. A malformed file throws
 * `SAFETENSORS_INVALID` (see `parseSafetensorsHeader` for the checks). Tensors are fresh
 * leaves with their own storage, `requiresGrad` false.
 *
 * @example
 * const { tensors, metadata } = decodeSafetensors(bytes, { source: 'model.safetensors' });
 */
export function decodeSafetensors(bytes: Uint8Array, options: DecodeSafetensorsOptions = {}): SafetensorsContents {
  const { entries, metadata, dataStart } = parseSafetensorsHeader(bytes, options.source);
  const where = options.source ? `safetensors '${options.source}'` : 'safetensors';
  for (const e of entries) {
    const ok = FLOAT_DTYPES.has(e.dtype) || (options.convertIntegers && INTEGER_DTYPES.has(e.dtype));
    if (!ok) {
      const hint = INTEGER_DTYPES.has(e.dtype) ? 'pass { convertIntegers: true } to read it as float32, or drop it from the file' : 'convert it to F32, F16, BF16 or F64 before saving';
      throw new SafetensorsError('SAFETENSORS_DTYPE', `${where}: tensor '${e.name}' has dtype ${e.dtype}; expected F32, F64, F16 or BF16; ${hint}`, `/${e.name.replace(/~/g, '~0').replace(/\//g, '~1')}/dtype`, options.source);
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) {
    const count = e.shape.reduce((a, b) => a * b, 1);
    const data: FloatArray = allocate(e.dtype === 'F64' && options.keepFloat64 ? 'float64' : 'float32', count);
    readElements(view, dataStart + e.begin, e.dtype, data);
    setOwn(tensors, e.name, new Tensor(data, e.shape)); // '__proto__' is a name like any other
  }
  return { tensors, metadata };
}

function nodeFs(): typeof import('fs') {
  // Loaded on use, so the rest of the package works where there is no file system (browsers).
  return nodeBuiltin('fs');
}

function nodePath(): typeof import('path') {
  return nodeBuiltin('path');
}

function nodeBuiltin<K extends 'fs' | 'path'>(name: K): NodeBuiltins[K] {
  const found = nodeModule(name);
  if (!found) fail('SAFETENSORS_IO', `reading or writing safetensors files needs Node.js (its ${name} module); use encodeSafetensors / decodeSafetensors on bytes instead`);
  return found;
}

/**
 * Writes `tensors` to `path` as safetensors, atomically: the bytes go to a temporary file in
 * the same folder, which is flushed to disk (fsync) and then renamed over `path`. A crash at
 * any moment leaves either the old file or the new one, never a torn one.
 *
 * @example saveSafetensors('runs/a/model.safetensors', stateDict(model), { format: 'pt' });
 */
export function saveSafetensors(path: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): void {
  const fs = nodeFs();
  const p = nodePath();
  const bytes = encodeSafetensors(tensors, metadata);
  const dir = p.dirname(path);
  const temp = p.join(dir, `.${p.basename(path)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`);
  let fd: number | null = fs.openSync(temp, 'wx');
  try {
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(temp, path);
  } catch (e) {
    if (fd !== null) fs.closeSync(fd);
    try { fs.unlinkSync(temp); } catch { /* already gone */ }
    throw e;
  }
  // Make the rename itself durable where directories can be opened (not on Windows).
  try {
    const dirFd = fs.openSync(dir, 'r');
    try { fs.fsyncSync(dirFd); } finally { fs.closeSync(dirFd); }
  } catch { /* best effort */ }
}

/**
 * Reads a safetensors file (see `decodeSafetensors`; error messages name the file).
 *
 * @example
 * const { tensors } = loadSafetensors('model.safetensors');
 * loadStateDict(model, tensors);
 */
export function loadSafetensors(path: string, options: Omit<DecodeSafetensorsOptions, 'source'> = {}): SafetensorsContents {
  const bytes = nodeFs().readFileSync(path);
  return decodeSafetensors(bytes, { ...options, source: path });
}
