import { fmtShape } from '@loopflow/tensor';
import { SafetensorsError } from './errors';
import { scanHeaderJson } from './safetensors-json-scan';
import { SAFETENSORS_DTYPE_SIZES } from './safetensors-dtypes';

/** Largest header accepted, as the reference implementation (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/** Deepest nesting accepted in a header (a safetensors header needs 3 levels). */
export const MAX_HEADER_DEPTH = 64;

/** One validated tensor entry of a safetensors header. */
export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Byte range within the data buffer (after the header). */
  begin: number;
  end: number;
}

/** A validated header: the entries in header order, the metadata, where the buffer starts. */
export interface SafetensorsHeader {
  entries: SafetensorsEntry[];
  metadata: Record<string, string>;
  /** Byte offset of the data buffer from the start of the file (8 + header length). */
  dataStart: number;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const describe = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s;
};

/**
 * Reads and validates the header of a safetensors file held in `bytes`, without touching
 * the tensor data. Every check that fails throws `SAFETENSORS_INVALID` (or
 * `SAFETENSORS_DTYPE` for a dtype name that is not a fixed-size safetensors dtype) naming
 * `source`, the tensor, what was found and what was expected. Nothing is allocated from an
 * unchecked length.
 */
export function parseSafetensorsHeader(bytes: Uint8Array, source?: string): SafetensorsHeader {
  const where = source ? `safetensors '${source}'` : 'safetensors';
  const invalid = (message: string, path = ''): never => {
    throw new SafetensorsError('SAFETENSORS_INVALID', `${where}: ${message}`, path, source);
  };
  if (bytes.length < 8) {
    invalid(`the file is ${bytes.length} bytes long; expected at least 8 (a little-endian u64 header length, then the header)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const headerLength = high * 2 ** 32 + low; // exact below 2^53; larger values are refused anyway
  const available = bytes.length - 8;
  if (high !== 0 || headerLength > available) {
    invalid(`the header length field says ${high !== 0 ? `${view.getBigUint64(0, true)}` : headerLength} bytes but only ${available} bytes follow it; the file is truncated or not a safetensors file`);
  }
  if (headerLength > MAX_HEADER_BYTES) {
    invalid(`the header is ${headerLength} bytes; expected at most ${MAX_HEADER_BYTES}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    return invalid(`the ${headerLength}-byte header is not valid UTF-8`);
  }
  const structure = scanHeaderJson(text, MAX_HEADER_DEPTH);
  if (structure?.kind === 'depth') {
    invalid(`the header nests arrays or objects more than ${MAX_HEADER_DEPTH} levels deep (at ${structure.path || 'its top'}); expected { name: { dtype, shape, data_offsets } } (3 levels); the file is damaged or not a safetensors file`, structure.path);
  }
  if (structure?.kind === 'duplicate') {
    const what = structure.path === '' ? `tensor name ${describe(structure.key)}` : `key ${describe(structure.key)} in ${structure.path}`;
    invalid(`${what} appears twice in the header; expected each name once (a reader would keep only one of them)`, structure.path === '' ? `/${pointer(structure.key ?? '')}` : structure.path);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return invalid(`the header is not valid JSON (${(e as Error).message}); it starts ${describe(text.slice(0, 40))}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    invalid(`the header is ${Array.isArray(json) ? 'an array' : describe(json)}; expected a JSON object of tensor entries`);
  }
  const dataLength = available - headerLength;
  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    const path = `/${pointer(name)}`;
    if (name === '__metadata__') {
      if (raw === null) continue;
      if (typeof raw !== 'object' || Array.isArray(raw)) invalid(`__metadata__ is ${describe(raw)}; expected an object of string values`, path);
      for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof value !== 'string') invalid(`__metadata__ '${key}' is ${describe(value)}; expected a string (safetensors metadata maps strings to strings)`, `${path}/${pointer(key)}`);
        setOwn(metadata, key, value as string);
      }
      continue;
    }
    const at = `tensor '${name}'`;
    if (name === '') invalid(`a tensor has the empty name ""; expected a non-empty name (encodeSafetensors refuses it too)`, path);
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) invalid(`${at} is ${describe(raw)}; expected an object { dtype, shape, data_offsets }`, path);
    const info = raw as Record<string, unknown>;
    const { dtype, shape, data_offsets: offsets } = info;
    if (typeof dtype !== 'string') invalid(`${at} has dtype ${describe(dtype)}; expected a string such as "F32"`, `${path}/dtype`);
    if (!Array.isArray(shape) || !shape.every(isCount)) invalid(`${at} has shape ${describe(shape)}; expected an array of non-negative integers`, `${path}/shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
      invalid(`${at} has data_offsets ${describe(offsets)}; expected [begin, end], two non-negative integers`, `${path}/data_offsets`);
    }
    const size = SAFETENSORS_DTYPE_SIZES[dtype as string];
    if (size === undefined) {
      throw new SafetensorsError('SAFETENSORS_DTYPE', `${where}: ${at} has dtype ${describe(dtype)}, which this reader does not know; expected one of ${Object.keys(SAFETENSORS_DTYPE_SIZES).join(', ')}`, `${path}/dtype`, source);
    }
    const [begin, end] = offsets as number[];
    if (begin > end) invalid(`${at} has data_offsets [${begin}, ${end}]: begin is after end`, `${path}/data_offsets`);
    if (end > dataLength) invalid(`${at} has data_offsets [${begin}, ${end}] but the data buffer is only ${dataLength} bytes; the file is truncated or the offsets are wrong`, `${path}/data_offsets`);
    let count = 1;
    for (const d of shape as number[]) count *= d; // exact: checked against a real byte length below
    if (count * size !== end - begin) {
      invalid(`${at} (${dtype}, shape ${fmtShape(shape as number[])}) needs ${count} x ${size} = ${count * size} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`, `${path}/data_offsets`);
    }
    entries.push({ name, dtype: dtype as string, shape: (shape as number[]).slice(), begin, end });
  }
  checkCoverage(entries, dataLength, invalid);
  return { entries, metadata, dataStart: 8 + headerLength };
}

/** A key as a JSON pointer step. */
function pointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Sets `object[key]` as an own property, also for '__proto__' (which an assignment would take as the prototype). */
export function setOwn<T>(object: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

/** Ranges must not overlap and must cover the buffer exactly (as the reference implementation). */
function checkCoverage(entries: SafetensorsEntry[], dataLength: number, invalid: (m: string, path?: string) => never): void {
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: SafetensorsEntry | null = null;
  for (const e of sorted) {
    if (e.begin < cursor && previous) {
      invalid(`tensor '${e.name}' (bytes [${e.begin}, ${e.end})) overlaps tensor '${previous.name}' (bytes [${previous.begin}, ${previous.end})); expected disjoint ranges`, `/${pointer(e.name)}/data_offsets`);
    }
    if (e.begin > cursor) {
      invalid(`bytes [${cursor}, ${e.begin}) of the data buffer belong to no tensor (the next one, '${e.name}', starts at ${e.begin}); expected the tensors to cover the buffer without gaps`, `/${pointer(e.name)}/data_offsets`);
    }
    cursor = e.end;
    previous = e;
  }
  if (cursor !== dataLength) {
    invalid(`the data buffer is ${dataLength} bytes but the tensors cover only the first ${cursor}; expected no trailing bytes`);
  }
}
