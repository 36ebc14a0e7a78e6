import { Tensor } from '@loopflow/tensor';

/** What an autograd graph holds: the bytes of its tensors and the ops that made them. */
export interface GraphStats {
  /** Bytes of the distinct tensors reachable from the root, excluding `exclude`. */
  bytes: number;
  /** Distinct tensors counted. */
  tensors: number;
  /** The op names of the recorded nodes (e.g. 'matmul', 'lstm_fused'). */
  ops: Set<string>;
}

/**
 * The tensors an autograd graph keeps alive for backward: every distinct tensor reachable
 * from `root` through recorded nodes (`node.inputs`), except `exclude` (the parameters, which
 * exist without the graph). Deterministic, unlike heap samples; a lower bound of what a step
 * holds, since buffers captured only inside backward closures (or kept in WebAssembly memory
 * by fused kernels) are not seen.
 *
 * @example graphStats(loss, new Set(parameters(model))).bytes // e.g. 1.2e6 for an LSTM step at T = 256
 */
export function graphStats(root: Tensor, exclude: ReadonlySet<Tensor> = new Set()): GraphStats {
  const seen = new Set<Tensor>();
  const ops = new Set<string>();
  const stack: Tensor[] = [root];
  let bytes = 0;
  let tensors = 0;
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    if (!exclude.has(t)) {
      bytes += t.data.byteLength;
      tensors++;
    }
    if (t.node) {
      ops.add(t.node.op);
      for (const input of t.node.inputs) if (!seen.has(input)) stack.push(input);
    }
  }
  return { bytes, tensors, ops };
}
