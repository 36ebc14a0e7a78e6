import { Kernels } from './kernels';

/** A backend that may implement only some kernels. */
export type PartialKernels = Partial<Omit<Kernels, 'name'>> & { readonly name: string };

/**
 * Completes a partial backend with another one (normally the reference kernels): every kernel
 * the backend lacks is taken from `fallback`. The result keeps the backend's name.
 */
export function withFallback(backend: PartialKernels, fallback: Kernels): Kernels {
  return {
    name: backend.name,
    matmul: backend.matmul ? backend.matmul.bind(backend) : fallback.matmul.bind(fallback),
    unary: backend.unary ? backend.unary.bind(backend) : fallback.unary.bind(fallback),
    binary: backend.binary ? backend.binary.bind(backend) : fallback.binary.bind(fallback),
  };
}
