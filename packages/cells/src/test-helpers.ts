// Helpers shared by the specs of this package (not part of the public API).
import { DType, Random, Tensor } from '@loopflow/tensor';
import { directionsOf } from './config';
import { CELL_KINDS, CellKind, Nonlinearity, RecurrentKind, cellKindOf } from './kinds';
import { RecurrentModule, layerParams } from './module';

/** A tensor of normal numbers (float64 by default). */
export function randn(rng: Random, shape: number[], dtype: DType = 'float64', scale = 1, requiresGrad = false): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = rng.normal() * scale;
  return new Tensor(data, shape, requiresGrad);
}

/** Every cell kind as `[kind, family, nonlinearity]`, in the table's order, for specs that run each one. */
export const KIND_CASES: [CellKind, RecurrentKind, Nonlinearity | undefined][] = Object.values(CELL_KINDS).map((c) => [c.kind, c.family, c.nonlinearity ?? undefined]);

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/**
 * An independent plain-loop reference of one layer and direction over one sequence:
 * `xs` T x [I] -> outputs T x [H] (in time order), final h and c.
 */
export function referenceLayer(kind: CellKind, module: RecurrentModule, layer: number, reverse: boolean, xs: number[][], h0: number[], c0: number[] | null): { outputs: number[][]; h: number[]; c: number[] | null } {
  const p = layerParams(module, layer, reverse);
  const H = h0.length;
  const G = kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
  const I = p.weightIh.shape[1];
  const wih = p.weightIh.data;
  const whh = p.weightHh.data;
  const bih = p.biasIh?.data;
  const bhh = p.biasHh?.data;
  let h = h0.slice();
  let c = c0 ? c0.slice() : null;
  const outputs: number[][] = new Array(xs.length);
  for (let s = 0; s < xs.length; s++) {
    const t = reverse ? xs.length - 1 - s : s;
    const xp: number[] = [];
    const hp: number[] = [];
    for (let j = 0; j < G * H; j++) {
      let a = bih ? bih[j] : 0;
      for (let i = 0; i < I; i++) a += wih[j * I + i] * xs[t][i];
      xp.push(a);
      let b = bhh ? bhh[j] : 0;
      if (kind.startsWith('indrnn')) b += whh[j] * h[j];
      else for (let k = 0; k < H; k++) b += whh[j * H + k] * h[k];
      hp.push(b);
    }
    const next: number[] = [];
    const nextC: number[] = [];
    for (let j = 0; j < H; j++) {
      if (kind === 'lstm') {
        const i = sigmoid(xp[j] + hp[j]);
        const f = sigmoid(xp[H + j] + hp[H + j]);
        const g = Math.tanh(xp[2 * H + j] + hp[2 * H + j]);
        const o = sigmoid(xp[3 * H + j] + hp[3 * H + j]);
        nextC.push(f * (c as number[])[j] + i * g);
        next.push(o * Math.tanh(nextC[j]));
      } else if (kind === 'gru') {
        const r = sigmoid(xp[j] + hp[j]);
        const z = sigmoid(xp[H + j] + hp[H + j]);
        const n = Math.tanh(xp[2 * H + j] + r * hp[2 * H + j]);
        next.push((1 - z) * n + z * h[j]);
      } else {
        const pre = xp[j] + hp[j];
        next.push(kind.endsWith('relu') ? Math.max(pre, 0) : Math.tanh(pre));
      }
    }
    h = next;
    if (c) c = nextC;
    outputs[t] = h.slice();
  }
  return { outputs, h, c };
}

/** The reference of a whole stack over one sequence `xs` T x [I] from zero state: outputs T x [D*H], final h rows. */
export function referenceStack(module: RecurrentModule, xs: number[][]): { outputs: number[][]; h: number[][] } {
  const kind = cellKindOf(module.kind, module.config);
  const H = module.config.hiddenSize;
  const D = directionsOf(module.config);
  let input = xs;
  const hn: number[][] = [];
  for (let layer = 0; layer < module.config.numLayers; layer++) {
    const results: { outputs: number[][] }[] = [];
    for (let d = 0; d < D; d++) {
      const r = referenceLayer(kind, module, layer, d === 1, input, new Array(H).fill(0), kind === 'lstm' ? new Array(H).fill(0) : null);
      results.push(r);
      hn.push(r.h);
    }
    input = xs.map((_, t) => results.flatMap((r) => r.outputs[t]));
  }
  return { outputs: input, h: hn };
}

/** Rows of `x` `[T, B, F]` for batch element b, first `len` steps: len x [F]. */
export function sequenceOf(x: Tensor, b: number, len: number): number[][] {
  const [, B, F] = x.shape;
  const rows: number[][] = [];
  for (let t = 0; t < len; t++) rows.push(Array.from(x.data.subarray((t * B + b) * F, (t * B + b + 1) * F)));
  return rows;
}

/** Largest absolute difference of two flat arrays of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
