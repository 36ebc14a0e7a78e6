import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Tensor, tensor } from '@loopflow/tensor';
import { decodeSafetensors, encodeSafetensors, loadSafetensors, saveSafetensors } from './safetensors';
import { readElements, writeElements } from './safetensors-dtypes';

/** A file from a header text (as is, no padding added) and raw data bytes. */
function fileOf(header: string | object, data: ArrayLike<number> = []): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setUint32(0, json.length, true);
  bytes.set(json, 8);
  bytes.set(Array.from(data), 8 + json.length);
  return bytes;
}

const bitsOf = (t: Tensor): number[] => Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
const le16 = (...values: number[]): number[] => values.flatMap((v) => [v & 0xff, v >> 8]);

function expectRefused(bytes: Uint8Array, code: string, ...fragments: string[]): void {
  let error: unknown;
  try {
    decodeSafetensors(bytes, { source: 'bad.safetensors' });
  } catch (e) {
    error = e;
  }
  expect(error).toEqual(expect.objectContaining({ code }));
  const message = (error as Error).message;
  expect(message).toContain("'bad.safetensors'");
  for (const f of fragments) expect(message).toContain(f);
}

describe('safetensors round trip', () => {
  const special = [NaN, Infinity, -Infinity, -0, 0, 1e-45, 3.4028234663852886e38, -1.5, 0.1];
  for (const dtype of ['float32', 'float64'] as const) {
    it(`is bit-exact for ${dtype}, with NaN/Inf/-0, odd shapes, a scalar and empty tensors`, () => {
      const tensors: Record<string, Tensor> = {
        special: tensor(special, [special.length], { dtype }),
        odd: tensor(Array.from({ length: 105 }, (_, i) => Math.sin(i) * 1e3), [3, 5, 7], { dtype }),
        scalar: tensor([Math.PI], [], { dtype }),
        empty: tensor([], [0], { dtype }),
        'empty.inner': tensor([], [2, 0, 3], { dtype }),
      };
      const bytes = encodeSafetensors(tensors);
      const { tensors: back, metadata } = decodeSafetensors(bytes, { keepFloat64: true });
      expect(metadata).toEqual({});
      expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
      for (const [name, t] of Object.entries(tensors)) {
        expect(back[name].shape).toEqual(t.shape);
        expect(back[name].dtype).toBe(dtype);
        expect(bitsOf(back[name])).toEqual(bitsOf(t));
      }
    });
  }

  it('converts F64 to float32 unless keepFloat64', () => {
    const bytes = encodeSafetensors({ x: tensor([0.1, 1e300], [2], { dtype: 'float64' }) });
    const x = decodeSafetensors(bytes).tensors.x;
    expect(x.dtype).toBe('float32');
    expect(x.toList()).toEqual([Math.fround(0.1), Infinity]);
  });

  it('keeps __metadata__, is deterministic, pads the header with spaces to 8 bytes, aligns every tensor', () => {
    const tensors = { b: tensor([1, 2, 3]), a: tensor([4], [1], { dtype: 'float64' }), c: tensor([5]) };
    const bytes = encodeSafetensors(tensors, { format: 'pt', note: 'é ✓' });
    expect(encodeSafetensors({ c: tensors.c, a: tensors.a, b: tensors.b }, { note: 'é ✓', format: 'pt' })).toEqual(bytes);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text).toMatch(/^\{.*\} *$/);
    const header = JSON.parse(text);
    expect(Object.keys(header)).toEqual(['__metadata__', 'a', 'b', 'c']);
    expect(header.a).toEqual({ dtype: 'F64', shape: [1], data_offsets: [0, 8] });
    expect(header.b).toEqual({ dtype: 'F32', shape: [3], data_offsets: [8, 20] });
    expect(header.c).toEqual({ dtype: 'F32', shape: [1], data_offsets: [20, 24] });
    expect(bytes.length).toBe(8 + n + 24);
    expect(decodeSafetensors(bytes).metadata).toEqual({ format: 'pt', note: 'é ✓' });
  });

  it('decodes from an unaligned byte offset (e.g. a slice of a Node Buffer)', () => {
    const bytes = encodeSafetensors({ w: tensor([1.5, -2, 3.25], [3]), d: tensor([0.1, -0.2], [2], { dtype: 'float64' }) });
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const { tensors } = decodeSafetensors(shifted.subarray(3), { keepFloat64: true });
    expect(tensors.w.toList()).toEqual([1.5, -2, 3.25]);
    expect(tensors.d.toList()).toEqual([0.1, -0.2]);
  });

  it('reads and writes identically with raw byte copies and with DataView element access', () => {
    const values = Float32Array.from([NaN, -0, 1e-45, 7.25, -Infinity]);
    for (const byteCopy of [true, false]) {
      const view = new DataView(new ArrayBuffer(1 + values.byteLength));
      writeElements(view, 1, values, byteCopy); // odd offset
      const back = new Float32Array(values.length);
      readElements(view, 1, 'F32', back, byteCopy);
      expect(Array.from(new Uint8Array(back.buffer))).toEqual(Array.from(new Uint8Array(values.buffer)));
      expect(Array.from(new Uint8Array(view.buffer, 1))).toEqual(Array.from(new Uint8Array(values.buffer))); // little-endian on disk
    }
  });
});

describe('safetensors from other writers', () => {
  it('decodes a file laid out exactly as Python safetensors writes it', () => {
    // What `safetensors.torch.save_file({"linear.weight": w, "linear.bias": b}, f, {"format": "pt"})`
    // writes: compact JSON (metadata first, then tensors by alignment and name), padded with
    // spaces to a multiple of 8 (163 -> 168 bytes), then the little-endian float32 data.
    const headerText = '{"__metadata__":{"format":"pt"},"linear.bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"linear.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[8,32]}}     ';
    const bytes = new Uint8Array([
      0xa8, 0, 0, 0, 0, 0, 0, 0, // header length 168, u64 little-endian
      ...new TextEncoder().encode(headerText),
      0x00, 0x00, 0x00, 0x3f, 0x00, 0x00, 0xc0, 0xbf, // bias: 0.5, -1.5
      0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x80, 0x3e, // weight row 0: 1, -2, 0.25
      0x00, 0x00, 0x40, 0x40, 0xcd, 0xcc, 0xcc, 0x3d, 0x00, 0x00, 0x00, 0x80, // weight row 1: 3, 0.1f, -0
    ]);
    expect(headerText.length).toBe(168);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt' });
    expect(tensors['linear.bias'].shape).toEqual([2]);
    expect(tensors['linear.bias'].toList()).toEqual([0.5, -1.5]);
    expect(tensors['linear.weight'].shape).toEqual([2, 3]);
    expect(tensors['linear.weight'].toArray()).toEqual([[1, -2, 0.25], [3, Math.fround(0.1), -0]]);
    expect(Object.is(tensors['linear.weight'].get(1, 2), -0)).toBe(true);
  });

  it('converts hand-built F16 and BF16 tensors exactly to float32', () => {
    const f16 = le16(0x3c00, 0xc100, 0x7bff, 0x0001, 0x03ff, 0x7c00, 0xfc00, 0x7e00, 0x8000);
    const bf16 = le16(0x3f80, 0xc020, 0x4049, 0x0001, 0x7f80, 0x7fc0);
    const bytes = fileOf({
      half: { dtype: 'F16', shape: [3, 3], data_offsets: [0, 18] },
      brain: { dtype: 'BF16', shape: [6], data_offsets: [18, 30] },
    }, [...f16, ...bf16]);
    const { tensors } = decodeSafetensors(bytes);
    expect(tensors.half.dtype).toBe('float32');
    expect(tensors.half.toList()).toEqual([1, -2.5, 65504, 2 ** -24, 1023 * 2 ** -24, Infinity, -Infinity, NaN, -0]);
    expect(Object.is(tensors.half.data[8], -0)).toBe(true);
    expect(tensors.brain.toList()).toEqual([1, -2.5, 3.140625, 2 ** -133, Infinity, NaN]);
  });

  it('refuses integer dtypes by default and converts them to float32 with convertIntegers', () => {
    const data = [
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 7, 0, 0, 0, 0, 0, 0, 0, // I64 -1, 7
      0xfe, 0xff, 0xff, 0xff, // I32 -2
      200, 1, 0, // U8 200; BOOL true, false
    ];
    const header = {
      ids: { dtype: 'I64', shape: [2], data_offsets: [0, 16] },
      i32: { dtype: 'I32', shape: [1], data_offsets: [16, 20] },
      u8: { dtype: 'U8', shape: [1], data_offsets: [20, 21] },
      mask: { dtype: 'BOOL', shape: [2], data_offsets: [21, 23] },
    };
    expectRefused(fileOf(header, data), 'SAFETENSORS_DTYPE', "'ids'", 'I64', 'convertIntegers');
    const { tensors } = decodeSafetensors(fileOf(header, data), { convertIntegers: true });
    expect(tensors.ids.toList()).toEqual([-1, 7]);
    expect(tensors.i32.toList()).toEqual([-2]);
    expect(tensors.u8.toList()).toEqual([200]);
    expect(tensors.mask.toList()).toEqual([1, 0]);
    expectRefused(fileOf({ q: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, [0]), 'SAFETENSORS_DTYPE', "'q'", 'F8_E4M3');
    expectRefused(fileOf({ q: { dtype: 'F12', shape: [1], data_offsets: [0, 1] } }, [0]), 'SAFETENSORS_DTYPE', "'q'", 'F12');
  });
});

describe('saveSafetensors / loadSafetensors', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-st-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes atomically, replaces an existing file and leaves no temporary file', () => {
    const file = path.join(dir, 'model.safetensors');
    saveSafetensors(file, { w: tensor([1, 2]) }, { step: '1' });
    saveSafetensors(file, { w: tensor([3, 4, 5]) }, { step: '2' });
    expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
    const { tensors, metadata } = loadSafetensors(file);
    expect(tensors.w.toList()).toEqual([3, 4, 5]);
    expect(metadata).toEqual({ step: '2' });
  });

  it('keeps the old file when encoding fails, and names the file when it is malformed', () => {
    const file = path.join(dir, 'model.safetensors');
    saveSafetensors(file, { w: tensor([1, 2]) });
    expect(() => saveSafetensors(file, { w: 5 as unknown as Tensor })).toThrow();
    expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
    expect(loadSafetensors(file).tensors.w.toList()).toEqual([1, 2]);
    const broken = path.join(dir, 'broken.safetensors');
    fs.writeFileSync(broken, fs.readFileSync(file).subarray(0, 20));
    expect(() => loadSafetensors(broken)).toThrow(expect.objectContaining({ code: 'SAFETENSORS_INVALID', message: expect.stringContaining(broken) }));
  });
});
