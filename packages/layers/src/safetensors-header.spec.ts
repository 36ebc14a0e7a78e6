import { Tensor, tensor } from '@loopflow/tensor';
import { decodeSafetensors, encodeSafetensors } from './safetensors';

/** A file from a header text (as is, no padding added) and raw data bytes. */
function fileOf(header: string | object, data: ArrayLike<number> = []): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setUint32(0, json.length, true);
  bytes.set(json, 8);
  bytes.set(Array.from(data), 8 + json.length);
  return bytes;
}

/** Decoding must throw a LoopflowError with `code` whose message names the file and holds every fragment. */
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

describe('safetensors validation', () => {
  const good = { x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const eight = [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40];

  it('accepts the well-formed base case used below', () => {
    expect(decodeSafetensors(fileOf(good, eight)).tensors.x.toList()).toEqual([1, 2]);
  });

  it('refuses files shorter than 8 bytes', () => {
    expectRefused(new Uint8Array(0), 'SAFETENSORS_INVALID', '0 bytes', 'at least 8');
    expectRefused(new Uint8Array(7), 'SAFETENSORS_INVALID', '7 bytes');
  });

  it('refuses a header length larger than the file, before allocating anything', () => {
    const bytes = fileOf(good, eight);
    new DataView(bytes.buffer).setUint32(0, 1000, true);
    expectRefused(bytes, 'SAFETENSORS_INVALID', '1000 bytes', `only ${bytes.length - 8} bytes`);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 60n, true);
    expectRefused(huge, 'SAFETENSORS_INVALID', String(2n ** 60n));
  });

  it('refuses a header that is not valid UTF-8, not JSON, or not an object', () => {
    const bad = fileOf('{"x": 1}');
    bad[10] = 0xff;
    expectRefused(bad, 'SAFETENSORS_INVALID', 'UTF-8');
    expectRefused(fileOf('{"x": {"dtype": "F32", '), 'SAFETENSORS_INVALID', 'not valid JSON');
    expectRefused(fileOf('[1, 2]'), 'SAFETENSORS_INVALID', 'an array', 'JSON object');
    expectRefused(fileOf('42      '), 'SAFETENSORS_INVALID', '42');
    expectRefused(fileOf('null'), 'SAFETENSORS_INVALID', 'null');
  });

  it('refuses missing or invalid dtype, shape and data_offsets, naming the tensor', () => {
    const cases: [object, string][] = [
      [{ x: 5 }, 'expected an object'],
      [{ x: { shape: [2], data_offsets: [0, 8] } }, 'dtype'],
      [{ x: { dtype: 32, shape: [2], data_offsets: [0, 8] } }, 'dtype 32'],
      [{ x: { dtype: 'F32', data_offsets: [0, 8] } }, 'shape'],
      [{ x: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, 'shape [-2]'],
      [{ x: { dtype: 'F32', shape: [1.5], data_offsets: [0, 8] } }, 'shape [1.5]'],
      [{ x: { dtype: 'F32', shape: '2', data_offsets: [0, 8] } }, 'shape "2"'],
      [{ x: { dtype: 'F32', shape: [2] } }, 'data_offsets'],
      [{ x: { dtype: 'F32', shape: [2], data_offsets: [0] } }, 'data_offsets [0]'],
      [{ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8, 9] } }, 'data_offsets [0,8,9]'],
      [{ x: { dtype: 'F32', shape: [2], data_offsets: [-1, 8] } }, 'data_offsets [-1,8]'],
    ];
    for (const [header, fragment] of cases) expectRefused(fileOf(header, eight), 'SAFETENSORS_INVALID', "tensor 'x'", fragment);
  });

  it('refuses offsets past the end of the buffer and begin > end', () => {
    expectRefused(fileOf({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, [0, 0, 0, 0]), 'SAFETENSORS_INVALID', "'x'", 'only 4 bytes');
    expectRefused(fileOf({ x: { dtype: 'F32', shape: [2], data_offsets: [4, 0] } }, eight), 'SAFETENSORS_INVALID', "'x'", 'begin is after end');
    expectRefused(fileOf({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 2 ** 53] } }, eight), 'SAFETENSORS_INVALID', "'x'");
  });

  it('refuses a byte length that differs from product(shape) * dtype size', () => {
    expectRefused(fileOf({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, eight), 'SAFETENSORS_INVALID', "'x'", '12 bytes', 'hold 8');
    expectRefused(fileOf({ x: { dtype: 'F64', shape: [2], data_offsets: [0, 8] } }, eight), 'SAFETENSORS_INVALID', "'x'", '16 bytes');
    expectRefused(fileOf({ x: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, eight), 'SAFETENSORS_INVALID', "'x'");
  });

  it('refuses overlapping ranges, gaps and trailing bytes', () => {
    expectRefused(fileOf({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, eight), 'SAFETENSORS_INVALID', "'a'", "'b'", 'overlaps');
    expectRefused(fileOf({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, eight), 'SAFETENSORS_INVALID', 'bytes [0, 4)', 'belong to no tensor');
    expectRefused(fileOf(good, [...eight, 0, 0, 0, 0]), 'SAFETENSORS_INVALID', 'trailing', 'cover only the first 8');
  });

  it('refuses non-string metadata values and non-object metadata', () => {
    expectRefused(fileOf({ __metadata__: { epoch: 3 }, ...good }, eight), 'SAFETENSORS_INVALID', "'epoch'", 'expected a string');
    expectRefused(fileOf({ __metadata__: ['a'], ...good }, eight), 'SAFETENSORS_INVALID', '__metadata__');
  });

  it('encode refuses reserved names, non-tensors and non-string metadata', () => {
    expect(() => encodeSafetensors({ __metadata__: tensor([1]) })).toThrow(expect.objectContaining({ code: 'SAFETENSORS_INVALID' }));
    expect(() => encodeSafetensors({ x: [1, 2] as unknown as Tensor })).toThrow(expect.objectContaining({ code: 'SAFETENSORS_INVALID' }));
    expect(() => encodeSafetensors({ x: tensor([1]) }, { epoch: 3 as unknown as string })).toThrow(expect.objectContaining({ code: 'SAFETENSORS_INVALID' }));
  });
});
