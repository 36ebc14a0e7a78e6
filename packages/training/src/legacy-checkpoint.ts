import { Tensor } from '@loopflow/tensor';
import { upgradeAttentionStateDict } from '@loopflow/attention';
import { decodeArray, encodeArray } from '@loopflow/optimizers';
import type { OptimizerStateDict, SavedParamState } from '@loopflow/optimizers';
import type { OptimizerFile, ParameterDescription, TrainerFile } from './checkpoint-format';

/** What a read checkpoint holds (checkpoint-read's `LoadedCheckpoint`). */
interface CheckpointParts {
  path: string;
  trainer: TrainerFile;
  model: Record<string, Tensor>;
  optimizer: OptimizerFile;
  best: Record<string, Tensor> | null;
}

/**
 * A checkpoint written before multi-head attention took PyTorch's names and layout
 * (`attention.Wq..Wo [in, out]`, `bq..bo`; a block's `fc1`, `fc2`) in today's: the weights (and
 * the best weights) through `upgradeAttentionStateDict`, the model description renamed, and the
 * optimizer's per-parameter state (Adam's moments, SGD's momentum...: elementwise, so they take
 * the same layout as their weights) converted the same way and put in the new parameter order.
 * Any other checkpoint is returned as it is, and so is one whose names the model it is for
 * (`current`, when given) still has: a model of one's own may name its tensors `Wq..Wo`.
 * `restoreRun` (resume) applies it; call it on what `readCheckpoint` returns to load an old one.
 *
 * @example loadStateDict(model, upgradeCheckpoint(readCheckpoint('runs/old/checkpoints')).model);
 */
export function upgradeCheckpoint<C extends CheckpointParts>(ckpt: C, current?: { parameters: readonly { name: string }[] }): C {
  if (current) {
    const names = new Set(current.parameters.map((p) => p.name));
    if (ckpt.trainer.model.parameters.every((p) => names.has(p.name))) return ckpt;
  }
  if (upgradeAttentionStateDict(ckpt.model).converted.length === 0) return ckpt;
  const old = ckpt.trainer.model.parameters; // in namedParameters order: the optimizer's
  const ordered = (make: (p: ParameterDescription, i: number) => Tensor): Record<string, Tensor> => Object.fromEntries(old.map((p, i) => [p.name, make(p, i)]));
  // Which old parameters each new one is made of: convert tensors holding their index.
  const sources = upgradeAttentionStateDict(ordered((p, i) => new Tensor(new Float64Array(p.shape.reduce((a, b) => a * b, 1)).fill(i), p.shape))).tensors;
  const parameters: ParameterDescription[] = Object.entries(sources).map(([name, t]) => ({ name, shape: t.shape.slice(), dtype: old[t.data[0]].dtype }));
  const from = Object.values(sources).map((t) => [...new Set(Array.from(t.data))]);

  const saved = ckpt.optimizer.optimizer as OptimizerStateDict;
  const keys = [...new Set(saved.state.flatMap((s) => (s ? Object.keys(s.buffers ?? {}) : [])))];
  const converted = new Map<string, Tensor[]>(); // buffer key -> per new parameter
  for (const key of keys) {
    const dict = ordered((p, i) => {
      const encoded = saved.state[i]?.buffers?.[key];
      const size = p.shape.reduce((a, b) => a * b, 1);
      return new Tensor(encoded ? decodeArray(encoded, p.dtype, size, `checkpoint '${ckpt.path}': state[${i}].buffers.${key}`) : new Float64Array(size), p.shape);
    });
    converted.set(key, Object.values(upgradeAttentionStateDict(dict).tensors));
  }
  const state = parameters.map((p, j): SavedParamState | null => {
    const parts = from[j].map((i) => saved.state[i]);
    if (parts.every((s) => s === null || s === undefined)) return null;
    const buffers: Record<string, ReturnType<typeof encodeArray> | null> = {};
    for (const key of keys) buffers[key] = parts.every((s) => !s?.buffers?.[key]) ? null : encodeArray((converted.get(key) as Tensor[])[j].data);
    return { step: Math.max(...parts.map((s) => s?.step ?? 0)), buffers };
  });
  return {
    ...ckpt,
    trainer: { ...ckpt.trainer, model: { ...ckpt.trainer.model, parameters } },
    model: upgradeAttentionStateDict(ckpt.model).tensors,
    best: ckpt.best ? upgradeAttentionStateDict(ckpt.best).tensors : null,
    optimizer: { ...ckpt.optimizer, optimizer: { ...saved, params: parameters.map((p) => ({ shape: p.shape.slice(), dtype: p.dtype })), state } },
  };
}
