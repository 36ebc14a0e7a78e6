import { AutogradError, GradNode, Tensor } from './tensor';
import { isGradEnabled, noGrad } from './grad-mode';
import { fmtShape } from './errors';
import { sameShape } from './shape';

/**
 * Records `output` as produced by `op` from `inputs`, when gradient recording is on and
 * any input requires a gradient. `backward` maps the output's gradient to one gradient per
 * input (or null). Returns `output`.
 */
export function record(
  op: string,
  inputs: readonly Tensor[],
  output: Tensor,
  backward: (gradOutput: Tensor) => (Tensor | null)[],
): Tensor {
  if (!isGradEnabled()) return output;
  let needs = false;
  for (const t of inputs) if (t.requiresGrad) needs = true;
  if (!needs) return output;
  output.requiresGrad = true;
  output.node = { op, inputs, backward } as GradNode;
  return output;
}

/** Tensors reachable from `roots` through recorded nodes, in reverse topological order. */
function reverseTopological(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative depth-first search: recurrent graphs over long sequences are deep.
  const stack: [Tensor, number][] = [];
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

const deferredMarks = new WeakSet<Tensor>();

/**
 * Marks a gradient buffer that several nodes fill in place (the pieces of `split` each add
 * their slice into one buffer and all return it). Autograd adds such a buffer once, when the
 * input it belongs to is reached, by which time every piece has written into it.
 */
export function deferredGrad(buffer: Tensor): Tensor {
  deferredMarks.add(buffer);
  return buffer;
}

/** True while a deferred buffer is waiting to be added (it is released once consumed). */
export function isPendingDeferred(buffer: Tensor | null): boolean {
  return buffer !== null && deferredMarks.has(buffer);
}

class GradStore {
  private readonly plain = new Map<Tensor, Tensor>();
  private readonly deferred = new Map<Tensor, Set<Tensor>>();

  add(t: Tensor, g: Tensor, op: string): void {
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
    const data = prev.data.slice();
    const gd = g.data;
    for (let i = 0; i < data.length; i++) data[i] += gd[i];
    this.plain.set(t, new Tensor(data, t.shape));
  }

  /** The complete gradient of `t` (call once every consumer of `t` has been processed). */
  get(t: Tensor): Tensor | undefined {
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

  keys(): Tensor[] {
    return [...new Set([...this.plain.keys(), ...this.deferred.keys()])];
  }
}

function seedGradient(root: Tensor, gradOutput: Tensor | undefined, where: string): Tensor {
  if (gradOutput) {
    if (!sameShape(gradOutput.shape, root.shape)) {
      throw new AutogradError(`${where}: gradOutput has shape ${fmtShape(gradOutput.shape)}, expected the output's shape ${fmtShape(root.shape)}`);
    }
    return gradOutput.detach();
  }
  if (root.size !== 1) {
    throw new AutogradError(`${where}: called on a tensor of shape ${fmtShape(root.shape)}; expected a scalar (reduce it with sum or mean), or pass a gradOutput of that shape`);
  }
  const data = root.dtype === 'float64' ? new Float64Array(1) : new Float32Array(1);
  data[0] = 1;
  return new Tensor(data, root.shape);
}

/** Propagates from the roots; returns the gradient of every tensor reached. */
function propagate(roots: readonly Tensor[], seeds: readonly Tensor[]): GradStore {
  const grads = new GradStore();
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
export function backward(root: Tensor, gradOutput?: Tensor): void {
  if (!root.requiresGrad) {
    throw new AutogradError(`backward: the tensor does not require grad (no input of its computation had requiresGrad: true, or it was computed inside noGrad)`);
  }
  const grads = propagate([root], [seedGradient(root, gradOutput, 'backward')]);
  for (const t of grads.keys()) {
    if (!t.isLeaf) continue;
    const g = grads.get(t);
    if (!g) continue;
    if (t.grad) {
      const data = t.grad.data.slice();
      for (let i = 0; i < data.length; i++) data[i] += g.data[i];
      t.grad = new Tensor(data, t.shape);
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
export function grad(output: Tensor, inputs: readonly Tensor[], gradOutput?: Tensor): Tensor[] {
  if (!output.requiresGrad) {
    throw new AutogradError(`grad: the output does not require grad (no input of its computation had requiresGrad: true, or it was computed inside noGrad)`);
  }
  const grads = propagate([output], [seedGradient(output, gradOutput, 'grad')]);
  return inputs.map((t) => {
    const g = grads.get(t);
    if (g) return g.data === t.data ? g.clone() : g;
    const zeros = t.dtype === 'float64' ? new Float64Array(t.size) : new Float32Array(t.size);
    return new Tensor(zeros, t.shape);
  });
}
