import { ShapeError, Tensor, allocate, fmtShape } from '@loopflow/tensor';
import { fail } from './errors';

/**
 * Weights saved before multi-head attention took PyTorch's names and layout: each attention
 * layer held `Wq, Wk, Wv, Wo` stored `[in, out]` (applied as `x @ W`) and `bq, bk, bv, bo`; a
 * transformer block named its parts `attention`, `fc1`, `fc2`. This converts such a state dict
 * to today's names, so old run folders and checkpoints still load.
 */

const LEGACY_WEIGHTS = ['Wq', 'Wk', 'Wv', 'Wo'] as const;
const LEGACY_BIASES = ['bq', 'bk', 'bv', 'bo'] as const;
const LEGACY_NAMES = new Set<string>([...LEGACY_WEIGHTS, ...LEGACY_BIASES]);

/** What `upgradeAttentionStateDict` did. */
export interface UpgradedStateDict {
  /** The state dict in today's names (the input itself when nothing was converted). */
  tensors: Record<string, Tensor>;
  /** Prefixes of the attention layers converted (`''` for a bare layer, `'blocks.0.attention.'` ...). */
  converted: string[];
}

/** `[d, d]` transposed into `out` from element `at`. */
function transposeInto(source: Tensor, d: number, out: Float32Array | Float64Array, at: number): void {
  const s = source.data;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[at + j * d + i] = s[i * d + j];
}

/**
 * Converts the attention weights of a state dict written before the PyTorch layout: every
 * group `<p>Wq, <p>Wk, <p>Wv, <p>Wo` (`[d, d]`, `[in, out]`) with optional `<p>bq..<p>bo`
 * becomes `<p>in_proj_weight [3d, d]` (the three blocks transposed, one under the other),
 * `<p>in_proj_bias [3d]`, `<p>out_proj.weight [d, d]` (transposed) and `<p>out_proj.bias`;
 * and where `<p>` is a transformer block's `<b>attention.` (the dict also holds `<b>fc1.weight`),
 * `<b>attention.` becomes `<b>self_attn.`, `<b>fc1.` `<b>linear1.`, `<b>fc2.` `<b>linear2.`.
 * Other entries pass unchanged, in order; the values are copied, never changed in place. A
 * state dict with no such group is returned as it is.
 *
 * Errors: an incomplete group (some of Wq..Wo missing, or some biases) is `INVALID_ARGUMENT`
 * naming the prefix and what is missing; a weight not `[d, d]` is `SHAPE_MISMATCH`.
 *
 * @example
 * const { tensors } = decodeSafetensors(bytes);
 * loadStateDict(model, upgradeAttentionStateDict(tensors).tensors);
 */
export function upgradeAttentionStateDict(dict: Readonly<Record<string, Tensor>>): UpgradedStateDict {
  const where = 'upgradeAttentionStateDict';
  const prefixes = new Set<string>();
  for (const key of Object.keys(dict)) {
    const dot = key.lastIndexOf('.');
    const leaf = key.slice(dot + 1);
    if (LEGACY_NAMES.has(leaf)) prefixes.add(key.slice(0, dot + 1));
  }
  // A prefix without Wq is someone else's tensors (e.g. a user's `bo`); one with Wq is a group.
  const groups = [...prefixes].filter((p) => dict[p + 'Wq'] !== undefined);
  if (groups.length === 0) return { tensors: dict as Record<string, Tensor>, converted: [] };

  const replaced = new Map<string, Record<string, Tensor>>(); // first legacy key of a group -> its new entries
  const dropped = new Set<string>();
  const renames: [string, string][] = []; // block prefixes: [old, new]
  for (const p of groups) {
    const missing = LEGACY_WEIGHTS.filter((n) => !dict[p + n]);
    if (missing.length > 0) fail('INVALID_ARGUMENT', `${where}: attention weights '${p}Wq' are there but ${missing.map((n) => `'${p}${n}'`).join(', ')} missing; the state dict is incomplete or damaged`);
    const d = dict[p + 'Wq'].shape[0];
    for (const n of LEGACY_WEIGHTS) {
      const t = dict[p + n];
      if (t.ndim !== 2 || t.shape[0] !== d || t.shape[1] !== d) throw new ShapeError(`${where}: '${p}${n}' has shape ${fmtShape(t.shape)}; expected ${fmtShape([d, d])} ([in, out], as '${p}Wq')`);
    }
    const biases = LEGACY_BIASES.filter((n) => dict[p + n]);
    if (biases.length !== 0 && biases.length !== 4) {
      fail('INVALID_ARGUMENT', `${where}: '${p}' has biases ${biases.join(', ')} but not all of bq, bk, bv, bo; the state dict is incomplete or damaged`);
    }
    for (const n of biases) {
      const t = dict[p + n];
      if (t.ndim !== 1 || t.shape[0] !== d) throw new ShapeError(`${where}: '${p}${n}' has shape ${fmtShape(t.shape)}; expected ${fmtShape([d])}`);
    }
    const dtype = dict[p + 'Wq'].dtype;
    let target = p;
    const block = p.endsWith('attention.') ? p.slice(0, -'attention.'.length) : null;
    if (block !== null && dict[block + 'fc1.weight']) {
      target = block + 'self_attn.';
      renames.push([block + 'fc1.', block + 'linear1.'], [block + 'fc2.', block + 'linear2.']);
    }
    const inProj = allocate(dtype, 3 * d * d);
    ['Wq', 'Wk', 'Wv'].forEach((n, part) => transposeInto(dict[p + n], d, inProj, part * d * d));
    const outProj = allocate(dtype, d * d);
    transposeInto(dict[p + 'Wo'], d, outProj, 0);
    const entries: Record<string, Tensor> = { [target + 'in_proj_weight']: new Tensor(inProj, [3 * d, d]) };
    if (biases.length === 4) {
      const inBias = allocate(dtype, 3 * d);
      ['bq', 'bk', 'bv'].forEach((n, part) => inBias.set(dict[p + n].data, part * d));
      entries[target + 'in_proj_bias'] = new Tensor(inBias, [3 * d]);
    }
    entries[target + 'out_proj.weight'] = new Tensor(outProj, [d, d]);
    if (biases.length === 4) entries[target + 'out_proj.bias'] = new Tensor(dict[p + 'bo'].data.slice(), [d]);
    const members = [...LEGACY_WEIGHTS, ...biases].map((n) => p + n);
    const first = Object.keys(dict).find((k) => members.includes(k)) as string;
    replaced.set(first, entries);
    members.forEach((k) => dropped.add(k));
  }
  const out: Record<string, Tensor> = {};
  for (const [key, t] of Object.entries(dict)) {
    const entries = replaced.get(key);
    if (entries) Object.assign(out, entries);
    if (dropped.has(key)) continue;
    const rename = renames.find(([from]) => key.startsWith(from));
    out[rename ? rename[1] + key.slice(rename[0].length) : key] = t;
  }
  return { tensors: out, converted: groups };
}
