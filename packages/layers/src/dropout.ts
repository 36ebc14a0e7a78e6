import { DType, Random, Tensor, allocate, fmtShape, mul } from '@loopflow/tensor';
import { fail } from './errors';

/**
 * Inverted dropout, as `torch.nn.Dropout(p)`: in training each element is zeroed with
 * probability `p` and the rest are scaled by `1 / (1 - p)`; in evaluation it is the identity.
 * The module owns its seeded generator, so a run is reproducible from the seed.
 */
export interface DropoutModule {
  kind: 'dropout';
  config: {
    /** Probability of zeroing an element, in [0, 1]. */
    p: number;
  };
  /** The generator the masks are drawn from (advanced by every training call). */
  rng: Random;
}

function checkP(where: string, p: number): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    fail('INVALID_ARGUMENT', `${where}: p = ${p}; expected a probability in [0, 1]`);
  }
}

/**
 * A Dropout module; `seed` is a number (a new `Random(seed)`) or a generator to draw from.
 *
 * @example const drop = createDropout(0.1, 42);
 */
export function createDropout(p: number, seed: number | Random): DropoutModule {
  checkP('createDropout', p);
  const rng = seed instanceof Random ? seed : new Random(seed);
  return { kind: 'dropout', config: { p }, rng };
}

/**
 * The scaled dropout mask of `shape`: each element is 0 with probability `p`, otherwise
 * `1 / (1 - p)` (all zeros when `p` is 1). Multiply by it to apply dropout; reuse it to drop
 * the same units at every time step (variational / recurrent dropout).
 * One `rng.next()` per element, in row-major order.
 *
 * @example
 * const mask = dropoutMask(rng, [batch, hidden], 0.25); // [B, H], same for every t
 * h = mul(h, mask);
 */
export function dropoutMask(rng: Random, shape: number[], p: number, dtype: DType = 'float32'): Tensor {
  checkP('dropoutMask', p);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) fail('INVALID_ARGUMENT', `dropoutMask: shape ${fmtShape(shape)}; expected non-negative integer sizes`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const data = allocate(dtype, size);
  const keep = p < 1 ? 1 / (1 - p) : 0;
  for (let i = 0; i < size; i++) data[i] = rng.next() < p ? 0 : keep;
  return new Tensor(data, shape);
}

/**
 * Applies dropout to `x` (any shape). Returns `x` itself when `!training` or `p == 0`;
 * otherwise `x * mask` with a fresh mask from the module's generator (the gradient flows
 * through the kept elements, scaled by the same factor).
 *
 * @example y = dropout(drop, x, true) // training; dropout(drop, x, false) is x
 */
export function dropout(m: DropoutModule, x: Tensor, training: boolean): Tensor {
  const p = m.config.p;
  checkP('dropout', p);
  if (!training || p === 0) return x;
  return mul(x, dropoutMask(m.rng, x.shape.slice(), p, x.dtype));
}
