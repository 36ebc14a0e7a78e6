import fc from 'fast-check';
import { fromArray } from '../create';
import { LoopflowError, fmtShape } from '../errors';
import { add, mul } from './elementwise';
import { sizeOf } from '../shape';

// Property-based tests (issue 16): random shapes through broadcasting never crash; a result
// matches an independent index-by-index reference in float64, gradients sum over the
// broadcast dimensions, and shapes that do not broadcast give SHAPE_MISMATCH naming both.

const shape = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });

/** NumPy's rule, written out here independently of the library. */
function reference(a: number[], b: number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** The element of `shape`-shaped row-major `data` read at the broadcast index `index` of `target`. */
function at(data: Float64Array, own: number[], target: number[], index: number[]): number {
  let flat = 0;
  for (let i = 0; i < own.length; i++) {
    const j = index[target.length - own.length + i];
    flat = flat * own[i] + (own[i] === 1 ? 0 : j);
  }
  return data[flat];
}

function indices(shape: number[]): number[][] {
  let out: number[][] = [[]];
  for (const d of shape) out = out.flatMap((prefix) => Array.from({ length: d }, (_, k) => [...prefix, k]));
  return out;
}

const values = (s: number[], seed: number) => Float64Array.from({ length: sizeOf(s) }, (_, i) => ((i * 7919 + seed) % 23) - 11);

describe('broadcasting (property-based)', () => {
  it('add and mul of random shapes: the reference shape and values, or SHAPE_MISMATCH naming both shapes', () => {
    fc.assert(
      fc.property(shape, shape, fc.boolean(), (sa, sb, useMul) => {
        const a = fromArray(values(sa, 1), sa.slice());
        const b = fromArray(values(sb, 5), sb.slice());
        const expected = reference(sa, sb);
        let result;
        try {
          result = useMul ? mul(a, b) : add(a, b);
        } catch (e) {
          expect(e).toBeInstanceOf(LoopflowError);
          expect((e as LoopflowError).code).toBe('SHAPE_MISMATCH');
          expect((e as Error).message).toContain(`shapes ${fmtShape(sa)} and ${fmtShape(sb)} do not broadcast`);
          expect(expected).toBeNull();
          return;
        }
        expect(expected).not.toBeNull();
        expect(result.shape).toEqual(expected);
        const target = expected as number[];
        const want = indices(target).map((ix) => {
          const x = at(a.data as Float64Array, sa, target, ix);
          const y = at(b.data as Float64Array, sb, target, ix);
          return useMul ? x * y : x + y;
        });
        expect(Array.from(result.data)).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('the gradient of sum(a + b) reaches each input in its own shape: the number of times each element was read', () => {
    fc.assert(
      fc.property(shape, shape, (sa, sb) => {
        const target = reference(sa, sb);
        fc.pre(target !== null);
        const a = fromArray(values(sa, 2), sa.slice(), { requiresGrad: true });
        const b = fromArray(values(sb, 3), sb.slice(), { requiresGrad: true });
        const out = add(a, b);
        out.backward(fromArray(new Float64Array(out.size).fill(1), out.shape.slice()));
        const reads = (own: number[]): number => sizeOf(target as number[]) / Math.max(1, sizeOf(own)); // each element is read this often
        for (const [t, own] of [[a, sa], [b, sb]] as const) {
          expect(t.grad?.shape).toEqual(own);
          if (sizeOf(own) > 0) expect(new Set(Array.from(t.grad?.data ?? []))).toEqual(new Set([reads(own)]));
        }
      }),
      { numRuns: 200 },
    );
  });
});
