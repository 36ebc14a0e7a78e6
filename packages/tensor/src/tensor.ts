import { FloatArray } from './backend/kernels';
import { ShapeError, fmtShape } from './errors';
import { sizeOf, stridesOf } from './shape';
import { backward as runBackward } from './autograd';
import type { Differentiable, GradNode } from './autograd';

/** The record of the op that made a tensor (`Tensor.node`): the autograd engine's `GradNode` over tensors. */
export type TensorGradNode = GradNode<Tensor>;

/** Element type of a tensor. float32 is the working type; float64 serves gradCheck and references. */
export type DType = 'float32' | 'float64';

/** A nested array of numbers, as accepted by `tensor()`. */
export type NestedArray = number | NestedArray[];

/**
 * A dense row-major array of float32 (or float64) numbers with a shape, and optionally a
 * record of the op that made it, for reverse-mode autograd.
 *
 * @example
 * const w = tensor([[1, 2], [3, 4]], { requiresGrad: true }); // [2, 2]
 */
export class Tensor implements Differentiable<Tensor> {
  /** The elements, row-major. Do not resize; writing in place bypasses autograd. */
  readonly data: FloatArray;
  /** The size of each dimension; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** Whether gradients flow to (or through) this tensor. */
  requiresGrad: boolean;
  /** Accumulated gradient of a leaf after `backward()`; `null` before. */
  grad: Tensor | null = null;
  /** The op that produced this tensor, when recorded; `null` for leaves. */
  node: GradNode<Tensor> | null = null;
  /** An optional name, shown when printing and in error messages. */
  name?: string;

  constructor(data: FloatArray, shape: readonly number[], requiresGrad = false) {
    const size = sizeOf(shape);
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) {
        throw new ShapeError(`tensor: shape ${fmtShape(shape)} has an invalid size ${d}; expected non-negative integers`);
      }
    }
    if (data.length !== size) {
      throw new ShapeError(`tensor: ${data.length} elements do not fill shape ${fmtShape(shape)}, which holds ${size}; pass exactly ${size} values`);
    }
    this.data = data;
    this.shape = Object.freeze(shape.slice());
    this.requiresGrad = requiresGrad;
  }

  /** 'float32' or 'float64'. */
  get dtype(): DType {
    return this.data instanceof Float64Array ? 'float64' : 'float32';
  }
  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }
  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }
  /** True for a leaf (made by the user, not recorded from an op). */
  get isLeaf(): boolean {
    return this.node === null;
  }

  /** The value of a one-element tensor as a number. */
  item(): number {
    if (this.size !== 1) {
      throw new ShapeError(`item: tensor of shape ${fmtShape(this.shape)} has ${this.size} elements; expected exactly 1 (reduce it first, e.g. with sum or mean)`);
    }
    return this.data[0];
  }

  /** The element at a multi-index, e.g. `t.get(1, 2)`. */
  get(...index: number[]): number {
    if (index.length !== this.ndim) {
      throw new ShapeError(`get: ${index.length} indices for a tensor of shape ${fmtShape(this.shape)}; expected ${this.ndim}`);
    }
    const strides = stridesOf(this.shape);
    let offset = 0;
    for (let i = 0; i < index.length; i++) {
      const k = index[i] < 0 ? index[i] + this.shape[i] : index[i];
      if (k < 0 || k >= this.shape[i]) {
        throw new ShapeError(`get: index ${index[i]} out of range for dimension ${i} of size ${this.shape[i]} (shape ${fmtShape(this.shape)})`);
      }
      offset += k * strides[i];
    }
    return this.data[offset];
  }

  /** The elements as nested arrays (numbers for a scalar). */
  toArray(): NestedArray {
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.ndim) return this.data[offset];
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[dim]; i++) out.push(build(dim + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /** A copy of the elements as a plain array. */
  toList(): number[] {
    return Array.from(this.data);
  }

  /** The same data with no gradient history (shares storage). */
  detach(): Tensor {
    const t = new Tensor(this.data, this.shape, false);
    t.name = this.name;
    return t;
  }

  /** A copy with its own storage and no gradient history. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape, false);
  }

  /** Converts to another dtype (a copy; no gradient history). */
  to(dtype: DType): Tensor {
    const data = dtype === 'float64' ? Float64Array.from(this.data) : Float32Array.from(this.data);
    return new Tensor(data, this.shape, false);
  }

  /**
   * Reverse-mode autograd from this scalar (or from this tensor with an explicit
   * `gradOutput` of its shape): accumulates into `.grad` of every leaf that requires grad.
   */
  backward(gradOutput?: Tensor): void {
    runBackward(this, gradOutput);
  }

  /** A readable summary: shape, dtype and (abbreviated) values. */
  toString(): string {
    return formatTensor(this);
  }

  /** Node's console.log uses this. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return formatTensor(this);
  }
}

function formatNumber(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e6) return x.toString();
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(3);
  return x.toFixed(4);
}

/** Prints like `Tensor([2,3] float32, grad) [[1, 2, 3], [4, 5, 6]]`, eliding long dimensions. */
export function formatTensor(t: Tensor, edge = 3): string {
  const fmt = (dim: number, offset: number, indent: string): string => {
    if (t.ndim === 0) return formatNumber(t.data[0]);
    const n = t.shape[dim];
    const stride = sizeOf(t.shape.slice(dim + 1));
    const idx: (number | null)[] = [];
    if (n <= 2 * edge) for (let i = 0; i < n; i++) idx.push(i);
    else {
      for (let i = 0; i < edge; i++) idx.push(i);
      idx.push(null);
      for (let i = n - edge; i < n; i++) idx.push(i);
    }
    if (dim === t.ndim - 1) {
      return '[' + idx.map((i) => (i === null ? '...' : formatNumber(t.data[offset + i]))).join(', ') + ']';
    }
    const inner = idx.map((i) => (i === null ? '...' : fmt(dim + 1, offset + i * stride, indent + ' ')));
    return '[' + inner.join(',\n' + indent + ' ') + ']';
  };
  const flags: string[] = [t.dtype];
  if (t.requiresGrad) flags.push(t.node ? `grad_fn=${t.node.op}` : 'requires_grad');
  const name = t.name ? ` '${t.name}'` : '';
  return `Tensor${name}(${fmtShape(t.shape)} ${flags.join(', ')}) ${fmt(0, 0, '')}`;
}
