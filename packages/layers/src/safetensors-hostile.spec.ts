import { tensor, Tensor } from '@loopflow/tensor';
import { decodeSafetensors, encodeSafetensors } from './safetensors';
import { MAX_HEADER_DEPTH } from './safetensors-header';
import { scanHeaderJson } from './safetensors-json-scan';

// The lying safetensors files of issue 16, each kept as a test.

function fileOf(header: string, data: ArrayLike<number> = []): Uint8Array {
  const json = new TextEncoder().encode(header);
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setUint32(0, json.length, true);
  bytes.set(json, 8);
  bytes.set(Array.from(data), 8 + json.length);
  return bytes;
}

function refusal(bytes: Uint8Array): { code: string; path: string; source: string; message: string } {
  try {
    decodeSafetensors(bytes, { source: 'bad.safetensors' });
  } catch (e) {
    return e as never;
  }
  throw new Error('decoded without complaint');
}

const eight = [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]; // float32 1, 2
const entry = (offsets = '[0, 8]') => `{"dtype": "F32", "shape": [2], "data_offsets": ${offsets}}`;

describe('"__proto__" is an ordinary tensor name', () => {
  it('a tensor named __proto__ is an own entry; the result keeps its prototype', () => {
    const { tensors } = decodeSafetensors(fileOf(`{"__proto__": ${entry()}}`, eight));
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
    expect(Object.keys(tensors)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(tensors, '__proto__')?.value).toBeInstanceOf(Tensor);
  });

  it('encodes and decodes a tensor and a metadata key named __proto__', () => {
    const tensors: Record<string, Tensor> = JSON.parse('{"__proto__": 0, "b": 0}');
    Object.defineProperty(tensors, '__proto__', { value: tensor([1, 2]), enumerable: true });
    tensors.b = tensor([3]);
    const metadata: Record<string, string> = JSON.parse('{"__proto__": "x"}');
    const back = decodeSafetensors(encodeSafetensors(tensors, metadata));
    expect(Object.keys(back.tensors).sort()).toEqual(['__proto__', 'b']);
    expect(Object.getOwnPropertyDescriptor(back.tensors, '__proto__')?.value.toList()).toEqual([1, 2]);
    expect(Object.getOwnPropertyDescriptor(back.metadata, '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(back.metadata)).toBe(Object.prototype);
  });
});

describe('names', () => {
  it('refuses a tensor name given twice, naming it', () => {
    const e = refusal(fileOf(`{"w": ${entry()}, "w": ${entry('[8, 16]')}}`, [...eight, ...eight]));
    expect(e).toMatchObject({ code: 'SAFETENSORS_INVALID', path: '/w', source: 'bad.safetensors' });
    expect(e.message).toMatch(/tensor name "w" appears twice/);
  });

  it('refuses a metadata key given twice, and a key repeated with escapes', () => {
    expect(refusal(fileOf(`{"__metadata__": {"a": "1", "a": "2"}, "w": ${entry()}}`, eight))).toMatchObject({ code: 'SAFETENSORS_INVALID', path: '/__metadata__' });
    expect(refusal(fileOf(`{"w": ${entry()}, "\\u0077": ${entry('[8, 16]')}}`, [...eight, ...eight]))).toMatchObject({ path: '/w' });
  });

  it('refuses the empty name, as encodeSafetensors does', () => {
    expect(refusal(fileOf(`{"": ${entry()}}`, eight))).toMatchObject({ code: 'SAFETENSORS_INVALID', path: '/', message: expect.stringContaining('empty name') });
    expect(() => encodeSafetensors({ '': tensor([1]) })).toThrow(expect.objectContaining({ code: 'SAFETENSORS_INVALID' }));
  });
});

describe('nesting', () => {
  it.each([
    ['an entry', (deep: string) => `{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8], "x": ${deep}}}`, '/w/x'],
    ['__metadata__', (deep: string) => `{"__metadata__": {"k": ${deep}}, "w": ${entry()}}`, '/__metadata__/k'],
  ])('20,000 levels in %s: SAFETENSORS_INVALID with the path, no RangeError', (_where, make, at) => {
    for (const [open, close, step] of [['[', ']', '/0'], ['{"a":', '}', '/a']]) {
      const e = refusal(fileOf(make(`${open.repeat(20_000)}1${close.repeat(20_000)}`), eight));
      expect(e).toMatchObject({ code: 'SAFETENSORS_INVALID', path: `${at}${step.repeat(MAX_HEADER_DEPTH - 2)}` });
      expect(e.message).toMatch(/more than 64 levels deep/);
    }
  });

  it('scanHeaderJson: brackets inside strings do not count; the limit itself passes', () => {
    expect(scanHeaderJson(`{"a": "[[[[{{{{", "b": ["]]]"]}`, 2)).toBeNull();
    expect(scanHeaderJson(`[[1]]`, 2)).toBeNull();
    expect(scanHeaderJson(`[[[1]]]`, 2)).toEqual({ kind: 'depth', path: '/0/0' });
    expect(scanHeaderJson(`{"a": {"x": 1, "y": {"x": 2}}, "b": [{"q": 1}, {"q": 2, "q": 3}]}`, 8)).toEqual({ kind: 'duplicate', path: '/b/1', key: 'q' });
  });
});
