import { Tensor, add, mul, tanh } from '@loopflow/tensor';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh approximation (PyTorch's `gelu(x, approximate='tanh')`, GPT-2's):
 * `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`, elementwise, from primitives.
 *
 * @example gelu(h) // [B, T, 4d] -> [B, T, 4d]
 */
export function gelu(x: Tensor): Tensor {
  const cube = mul(mul(x, x), x);
  const inner = mul(add(x, mul(cube, 0.044715)), SQRT_2_OVER_PI);
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}
