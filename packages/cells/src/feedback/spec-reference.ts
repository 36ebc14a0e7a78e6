// An independent plain-loop reference of a feedback network, for the specs (not part of the
// public API): numbers and arrays only, written from the equations of docs/feedback.md.
import { Tensor } from '@loopflow/tensor';
import { FeedbackNetwork } from './network';
import { planFeedback } from './plan';

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** `W v` for `W` `[rows, cols]` (row-major data) and `v` `[cols]`. */
function matVec(w: ArrayLike<number>, rows: number, v: number[]): number[] {
  const cols = v.length;
  const out = new Array<number>(rows).fill(0);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r] += w[r * cols + c] * v[c];
  return out;
}

const addTo = (a: number[], b: ArrayLike<number>): void => {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
};

/**
 * Runs one sequence (`xs` T x [I]) from a zero state (or `h0`/`c0` per layer) and returns every
 * layer's outputs T x [H] and final state.
 */
export function referenceFeedback(
  net: FeedbackNetwork,
  xs: number[][],
  start?: Record<string, { h: number[]; c?: number[] }>,
): { outputs: Record<string, number[][]>; final: Record<string, { h: number[]; c?: number[] }> } {
  const plan = planFeedback(net.config);
  const param = (layer: string, name: string): Tensor => (net.layers[layer] as unknown as Record<string, Tensor>)[name];
  let state = plan.layers.map((l) => ({
    h: start?.[l.name]?.h.slice() ?? new Array<number>(l.size).fill(0),
    c: start?.[l.name]?.c?.slice() ?? new Array<number>(l.size).fill(0),
  }));
  const outputs: Record<string, number[][]> = {};
  for (const l of plan.layers) outputs[l.name] = [];
  for (const x of xs) {
    const next: { h: number[]; c: number[] }[] = [];
    for (const l of plan.layers) {
      const H = l.size;
      const rows = l.gates * H;
      const input = l.index === 0 ? x : next[l.index - 1].h;
      const linear = l.cell === 'linear';
      // a = W_ih in + b_ih + sum over edges of W_e y_src(t-1)
      const a = matVec(param(l.name, linear ? 'weight' : 'weight_ih').data, rows, input);
      addTo(a, param(l.name, linear ? 'bias' : 'bias_ih').data);
      for (const e of plan.edges.filter((edge) => edge.toIndex === l.index)) {
        addTo(a, matVec(net.feedback[e.key].weight.data, rows, state[e.fromIndex].h));
      }
      // r = W_hh h(t-1) (full) or w_hh * h(t-1) per gate (diagonal) or 0, + b_hh
      const hPrev = state[l.index].h;
      const r = new Array<number>(rows).fill(0);
      if (l.self === 'full') addTo(r, matVec(param(l.name, 'weight_hh').data, rows, hPrev));
      if (l.self === 'diagonal') {
        const w = param(l.name, 'weight_hh').data;
        for (let j = 0; j < rows; j++) r[j] += w[j] * hPrev[j % H];
      }
      if (!linear) addTo(r, param(l.name, 'bias_hh').data);
      const h = new Array<number>(H);
      const c = state[l.index].c.slice();
      for (let j = 0; j < H; j++) {
        if (linear) h[j] = a[j] + r[j];
        else if (l.cell === 'lstm') {
          const ig = sigmoid(a[j] + r[j]);
          const fg = sigmoid(a[H + j] + r[H + j]);
          const gg = Math.tanh(a[2 * H + j] + r[2 * H + j]);
          const og = sigmoid(a[3 * H + j] + r[3 * H + j]);
          c[j] = fg * c[j] + ig * gg;
          h[j] = og * Math.tanh(c[j]);
        } else if (l.cell === 'gru') {
          const rg = sigmoid(a[j] + r[j]);
          const zg = sigmoid(a[H + j] + r[H + j]);
          const ng = Math.tanh(a[2 * H + j] + rg * r[2 * H + j]);
          h[j] = (1 - zg) * ng + zg * hPrev[j];
        } else {
          const pre = a[j] + r[j];
          h[j] = l.cell === 'rnn_relu' || l.cell === 'indrnn_relu' ? Math.max(pre, 0) : Math.tanh(pre);
        }
      }
      next.push({ h, c });
      outputs[l.name].push(h);
    }
    state = next;
  }
  const final: Record<string, { h: number[]; c?: number[] }> = {};
  plan.layers.forEach((l, k) => (final[l.name] = l.cell === 'lstm' ? { h: state[k].h, c: state[k].c } : { h: state[k].h }));
  return { outputs, final };
}

/** Sequence `b` of a time-major `[T, B, F]` tensor, as T x [F]. */
export function sequenceOf(x: Tensor, b: number): number[][] {
  const [T, B, F] = x.shape;
  const out: number[][] = [];
  for (let t = 0; t < T; t++) out.push(Array.from(x.data.subarray((t * B + b) * F, (t * B + b + 1) * F)));
  return out;
}
