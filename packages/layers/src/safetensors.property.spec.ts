import fc from 'fast-check';
import { tensor, Tensor } from '@loopflow/tensor';
import { decodeSafetensors, encodeSafetensors } from './safetensors';
import { SafetensorsError } from './errors';

// Property-based tests (issue 16): whatever bytes a safetensors file holds, reading it never
// crashes: it decodes, or it is a SafetensorsError with a code, the file and the JSON pointer
// of the place in its header.

function fileOf(header: string, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(header);
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setUint32(0, json.length, true);
  bytes.set(json, 8);
  bytes.set(data, 8 + json.length);
  return bytes;
}

function check(bytes: Uint8Array): void {
  let decoded;
  try {
    decoded = decodeSafetensors(bytes, { source: 'p.safetensors', convertIntegers: true });
  } catch (e) {
    expect(e).toBeInstanceOf(SafetensorsError);
    const error = e as SafetensorsError;
    expect(['SAFETENSORS_INVALID', 'SAFETENSORS_DTYPE']).toContain(error.code);
    expect(error.source).toBe('p.safetensors');
    expect(typeof error.path).toBe('string');
    expect(error.path === '' || error.path.startsWith('/')).toBe(true);
    expect(error.message).toContain("safetensors 'p.safetensors'");
    return;
  }
  expect(Object.getPrototypeOf(decoded.tensors)).toBe(Object.prototype);
  for (const t of Object.values(decoded.tensors)) expect(t).toBeInstanceOf(Tensor);
}

const name = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', '__metadata__', '', 'constructor', 'a/b', 'w'));
const count = fc.oneof(fc.nat(20), fc.constantFrom(-1, 2 ** 53, 1.5, 1e308));
const entry = fc.record(
  {
    dtype: fc.oneof(fc.constantFrom('F32', 'F64', 'F16', 'BF16', 'I64', 'U8', 'BOOL', 'F8_E4M3', 'X'), fc.jsonValue({ maxDepth: 1 })),
    shape: fc.oneof(fc.array(count, { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })),
    data_offsets: fc.oneof(fc.tuple(count, count), fc.jsonValue({ maxDepth: 2 })),
  },
  { requiredKeys: [] },
);

describe('the safetensors header reader (property-based)', () => {
  it('random headers of random entries over random data: decoded, or a located SafetensorsError', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.oneof(entry, fc.jsonValue({ maxDepth: 2 }))), { maxLength: 4 }), fc.uint8Array({ maxLength: 48 }), (entries, data) => {
        const header = `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v) ?? 'null'}`).join(', ')}}`;
        check(fileOf(header, data));
      }),
      { numRuns: 400 },
    );
  });

  it('random bytes, random texts as header, and deep nesting: a located SafetensorsError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), check), { numRuns: 200 });
    fc.assert(fc.property(fc.string({ maxLength: 60 }), fc.uint8Array({ maxLength: 16 }), (text, data) => check(fileOf(text, data))), { numRuns: 200 });
    fc.assert(
      fc.property(fc.constantFrom('[', '{"a":', '{"__proto__":'), fc.integer({ min: 1, max: 20_000 }), (open, depth) => {
        const close = open === '[' ? ']' : '}';
        check(fileOf(`{"__metadata__": {"k": ${open.repeat(depth)}1${close.repeat(depth)}}}`, new Uint8Array(0)));
      }),
      { numRuns: 30 },
    );
  });

  it('what encodeSafetensors writes, any names and shapes, decodes to the same tensors', () => {
    const tensors = fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }).filter((n) => n !== '__metadata__'), fc.array(fc.float({ noNaN: true }), { maxLength: 6 }), { maxKeys: 4 });
    fc.assert(
      fc.property(tensors, (dict) => {
        const input: Record<string, Tensor> = {};
        for (const [k, v] of Object.entries(dict)) Object.defineProperty(input, k, { value: tensor(v.length ? v : [0]), enumerable: true });
        const back = decodeSafetensors(encodeSafetensors(input)).tensors;
        expect(Object.keys(back).sort()).toEqual(Object.keys(input).sort());
        for (const k of Object.keys(input)) expect(Object.getOwnPropertyDescriptor(back, k)?.value.toList()).toEqual(Array.from((Object.getOwnPropertyDescriptor(input, k)?.value as Tensor).data));
      }),
      { numRuns: 150 },
    );
  });
});
