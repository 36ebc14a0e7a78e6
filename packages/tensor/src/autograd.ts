import type { FloatArray } from './backend/kernels';
import { isGradEnabled, noGrad } from './grad-mode';
import { AutogradError, fmtShape } from './errors';
import { sameShape } from './shape';

/**
 * The reverse-mode autograd engine. It is written against {@link Differentiable}, the few
 * members of a tensor it reads, and does not import `Tensor`: tensor.ts imports this file
 * (`Tensor.backward()` delegates to {@link backward}), never the reverse. `Tensor`
 * implements `Differentiable<Tensor>`, so every function here takes and returns `Tensor`s
 * when called with them.
 */

/**
 * What the autograd engine needs of a tensor (`T` is the tensor type itself; `Tensor`
 * implements `Differentiable<Tensor>`). New gradient tensors are made by `clone()` of a
 * tensor of the right shape and dtype, so the engine never names a constructor.
 */
export interface Differentiable<T extends Differentiable<T>> {
  /** The elements, row-major. */
  readonly data: FloatArray;
  /** The size of each dimension. */
  readonly shape: readonly number[];
  /** Number of elements. */
  readonly size: number;
  /** Whether gradients flow to (or through) this tensor. */
  requiresGrad: boolean;
  /** Accumulated gradient of a leaf. */
  grad: T | null;
  /** The op that produced this tensor, when recorded. */
  node: GradNode<T> | null;
  /** True for a leaf (not recorded from an op). */
  readonly isLeaf: boolean;
  /** The same data with no gradient history. */
  detach(): T;
  /** A copy with its own storage, the same shape and dtype, and no gradient history. */
  clone(): T;
}

/**
 * One recorded primitive: the inputs it read and how to turn the gradient of its output
 * into gradients of its inputs (`null` for an input that needs none). For tensors it is
 * `GradNode<Tensor>` (the type of `Tensor.node`).
 */
export interface GradNode<T extends Differentiable<T>> {
  readonly op: string;
  readonly inputs: readonly T[];
  readonly backward: (gradOutput: T) => (T | null)[];
}

/**
 * Records `output` as produced by `op` from `inputs`, when gradient recording is on and
 * any input requires a gradient. `backward` maps the output's gradient to one gradient per
 * input (or null). Returns `output`.
 */
export function record<T extends Differentiable<T>>(
  op: string,
  inputs: readonly T[],
  output: T,
  backward: (gradOutput: T) => (T | null)[],
): T {
  if (!isGradEnabled()) return output;
  let needs = false;
  for (const t of inputs) if (t.requiresGrad) needs = true;
  if (!needs) return output;
  output.requiresGrad = true;
  output.node = { op, inputs, backward };
  return output;
}

/** Tensors reachable from `roots` through recorded nodes, in reverse topological order. */
function reverseTopological<T extends Differentiable<T>>(roots: readonly T[]): T[] {
  const order: T[] = [];
  const seen = new Set<T>();
  // Iterative depth-first search: recurrent graphs over long sequences are deep.
  const stack: [T, number][] = [];
  for (const root of roots) {
    if (seen.has(root)) continue;
    seen.add(root);
    stack.push([root, 0]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const [t, i] = top;
      const inputs = t.node ? t.node.inputs : [];
      if (i < inputs.length) {
        top[1] = i + 1;
        const child = inputs[i];
        if (child.requiresGrad && !seen.has(child)) {
          seen.add(child);
          stack.push([child, 0]);
        }
      } else {
        stack.pop();
        order.push(t);
      }
    }
  }
  return order.reverse();
}

const deferredMarks = new WeakSet<object>();

/**
 * Marks a gradient buffer that several nodes fill in place (the pieces of `split` each add
 * their slice into one buffer and all return it). Autograd adds such a buffer once, when the
 * input it belongs to is reached, by which time every piece has written into it.
 */
export function deferredGrad<T extends object>(buffer: T): T {
  deferredMarks.add(buffer);
  return buffer;
}

/** True while a deferred buffer is waiting to be added (it is released once consumed). */
export function isPendingDeferred(buffer: object | null): boolean {
  return buffer !== null && deferredMarks.has(buffer);
}

class GradStore<T extends Differentiable<T>> {
  private readonly plain = new Map<T, T>();
  private readonly deferred = new Map<T, Set<T>>();

  add(t: T, g: T, op: string): void {
    if (!sameShape(g.shape, t.shape)) {
      throw new AutogradError(`autograd: the gradient rule of '${op}' returned shape ${fmtShape(g.shape)} for an input of shape ${fmtShape(t.shape)}; this is a bug in that op's gradient`);
    }
    if (deferredMarks.has(g)) {
      let set = this.deferred.get(t);
      if (!set) this.deferred.set(t, (set = new Set()));
      set.add(g);
      return;
    }
    const prev = this.plain.get(t);
    if (!prev) {
      this.plain.set(t, g);
      return;
    }
    // Accumulate: a tensor used twice receives the sum of both gradients.
    // (prev has t's shape: checked when it was added.)
    const sum = prev.clone();
    const data = sum.data;
    const gd = g.data;
    for (let i = 0; i < data.length; i++) data[i] += gd[i];
    this.plain.set(t, sum);
  }

  /** The complete gradient of `t` (call once every consumer of `t` has been processed). */
  get(t: T): T | undefined {
    const set = this.deferred.get(t);
    if (set) {
      this.deferred.delete(t);
      for (const buffer of set) {
        deferredMarks.delete(buffer);
        this.add(t, buffer, 'deferred');
      }
    }
    return this.plain.get(t);
  }

  keys(): T[] {
    return [...new Set([...this.plain.keys(), ...this.deferred.keys()])];
  }
}

function seedGradient<T extends Differentiable<T>>(root: T, gradOutput: T | undefined, where: string): T {
  if (gradOutput) {
    if (!sameShape(gradOutput.shape, root.shape)) {
      throw new AutogradError(`${where}: gradOutput has shape ${fmtShape(gradOutput.shape)}, expected the output's shape ${fmtShape(root.shape)}`);
    }
    return gradOutput.detach();
  }
  if (root.size !== 1) {
    throw new AutogradError(`${where}: called on a tensor of shape ${fmtShape(root.shape)}; expected a scalar (reduce it with sum or mean), or pass a gradOutput of that shape`);
  }
  // One element of root's dtype and shape, set to 1.
  const seed = root.clone();
  seed.data[0] = 1;
  return seed;
}

/** Propagates from the roots; returns the gradient of every tensor reached. */
function propagate<T extends Differentiable<T>>(roots: readonly T[], seeds: readonly T[]): GradStore<T> {
  const grads = new GradStore<T>();
  roots.forEach((r, i) => grads.add(r, seeds[i], 'seed'));
  const order = reverseTopological(roots);
  noGrad(() => {
    for (const t of order) {
      const node = t.node;
      const g = grads.get(t);
      if (!node || !g) continue;
      const inputGrads = node.backward(g);
      node.inputs.forEach((input, i) => {
        const gi = inputGrads[i];
        if (gi && input.requiresGrad) grads.add(input, gi, node.op);
      });
    }
  });
  return grads;
}

/**
 * Back-propagates from `root` and adds the gradient of every leaf that requires grad into
 * its `.grad` (so gradients accumulate over calls, as in PyTorch; zero them between steps).
 */
export function backward<T extends Differentiable<T>>(root: T, gradOutput?: T): void {
  if (!root.requiresGrad) {
    throw new AutogradError(`backward: the tensor does not require grad (no input of its computation had requiresGrad: true, or it was computed inside noGrad)`);
  }
  const grads = propagate([root], [seedGradient(root, gradOutput, 'backward')]);
  for (const t of grads.keys()) {
    if (!t.isLeaf) continue;
    const g = grads.get(t);
    if (!g) continue;
    if (t.grad) {
      const sum = t.grad.clone();
      const data = sum.data;
      for (let i = 0; i < data.length; i++) data[i] += g.data[i];
      t.grad = sum;
    } else {
      t.grad = g.clone(); // own storage: optimizers may clip or scale it in place
    }
  }
}

/**
 * Gradients of `output` with respect to any `inputs` (leaves or intermediate tensors),
 * returned rather than accumulated into `.grad`. An input that does not influence the
 * output gets a zero tensor.
 *
 * @example
 * const [dx, dh] = grad(loss, [x, hiddenState]);
 */
export function grad<T extends Differentiable<T>>(output: T, inputs: readonly T[], gradOutput?: T): T[] {
  if (!output.requiresGrad) {
    throw new AutogradError(`grad: the output does not require grad (no input of its computation had requiresGrad: true, or it was computed inside noGrad)`);
  }
  const grads = propagate([output], [seedGradient(output, gradOutput, 'grad')]);
  return inputs.map((t) => {
    const g = grads.get(t);
    if (g) return g.data === t.data ? g.clone() : g;
    const zeros = t.clone(); // t's shape and dtype
    zeros.data.fill(0);
    return zeros;
  });
}
