import { Tensor, add, mul, tanh } from '@loopflow/tensor';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh approximation (PyTorch's `gelu(x, approximate='tanh')`, GPT-2's):
 * `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`, elementwise, from primitives. The blocks
 * run their MLP's product, bias and GELU as one node instead (`linearGelu` of @loopflow/layers,
 * one pass of a WebAssembly kernel); this composed form is the reference it is tested against.
 *
 * @example gelu(h) // [B, T, 4d] -> [B, T, 4d]
 */
export function gelu(x: Tensor): Tensor {
  const cube = mul(mul(x, x), x);
  const inner = mul(add(x, mul(cube, 0.044715)), SQRT_2_OVER_PI);
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}
