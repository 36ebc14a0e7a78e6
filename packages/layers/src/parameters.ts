import { Random, Tensor } from '@loopflow/tensor';

/** Keys never walked into: sizes and generators are not parameters. */
const SKIPPED_KEYS = new Set(['config', 'rng']);

/** One tensor reached by the walk: its dotted name and whether an earlier path already reached it. */
export interface NamedTensorVisit {
  name: string;
  tensor: Tensor;
  /** True when the same tensor object was already reached under another name (tied weights). */
  duplicate: boolean;
}

function joinName(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

/** Built-in objects that hold no parameters (and whose keys may be huge, as typed arrays). */
function isOpaque(value: object): boolean {
  return (
    ArrayBuffer.isView(value) ||
    value instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer) ||
    value instanceof Map ||
    value instanceof Set ||
    value instanceof WeakMap ||
    value instanceof WeakSet ||
    value instanceof Date ||
    value instanceof RegExp ||
    value instanceof Promise ||
    value instanceof Random
  );
}

/**
 * Walks `root` depth-first through arrays (by index) and objects (own enumerable data
 * properties, in insertion order), skipping the keys 'config' and 'rng', functions,
 * typed arrays and other built-ins, and cycles. Calls `visit` for every Tensor reached;
 * tensors are not walked into.
 */
export function walkTensors(root: unknown, prefix: string, visit: (v: NamedTensorVisit) => void): void {
  const seenObjects = new Set<object>();
  const seenTensors = new Set<Tensor>();
  const walk = (value: unknown, name: string): void => {
    if (value instanceof Tensor) {
      visit({ name, tensor: value, duplicate: seenTensors.has(value) });
      seenTensors.add(value);
      return;
    }
    if (value === null || typeof value !== 'object' || isOpaque(value)) return;
    if (seenObjects.has(value)) return;
    seenObjects.add(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) walk(value[i], joinName(name, String(i)));
      return;
    }
    for (const key of Object.keys(value)) {
      if (SKIPPED_KEYS.has(key)) continue;
      const desc = Object.getOwnPropertyDescriptor(value, key);
      if (!desc || !('value' in desc)) continue; // accessors are not data
      walk(desc.value, joinName(name, key));
    }
  };
  walk(root, prefix);
}

/**
 * Every trainable tensor (`requiresGrad`) reachable from `module` through own enumerable
 * properties and arrays, named by its path with PyTorch-style dots: a Sequential stored as
 * `layers` gives 'layers.0.weight', a Linear stored as `head` gives 'head.bias'. Works on
 * any plain object (cells, user models), not only the modules of this package. Keys 'config'
 * and 'rng' are skipped; a tensor reached twice (tied weights) is listed once, under its first
 * name; the order is the walk order (insertion order of the properties).
 *
 * @example
 * namedParameters({ emb, rnn, head }) // [['emb.weight', t], ..., ['head.bias', t]]
 * namedParameters(lin, 'encoder')     // [['encoder.weight', t], ['encoder.bias', t]]
 */
export function namedParameters(module: unknown, prefix = ''): [string, Tensor][] {
  const out: [string, Tensor][] = [];
  walkTensors(module, prefix, ({ name, tensor, duplicate }) => {
    if (!duplicate && tensor.requiresGrad) out.push([name, tensor]);
  });
  return out;
}

/**
 * The trainable tensors of `module`, in the order of `namedParameters` (what an optimizer takes).
 *
 * @example const opt = adam(parameters(model), { lr: 1e-3 });
 */
export function parameters(module: unknown): Tensor[] {
  return namedParameters(module).map(([, t]) => t);
}

/**
 * Clears the gradient of every parameter (`.grad = null`), as `optimizer.zero_grad(set_to_none=True)`.
 *
 * @example zeroGrad(model); loss.backward(); step();
 */
export function zeroGrad(module: unknown): void {
  for (const p of parameters(module)) p.grad = null;
}
