/**
 * Test support for the conformance specs: temporary folders of golden files, and an
 * independent LayerNorm reference written with plain float64 loops (no loopflow code), so
 * tests can build goldens of any size.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Golden } from './types';

/** A fresh temporary folder; `files` maps file names to contents (objects are written as JSON). */
export function tempFolder(files: Record<string, unknown> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-conformance-'));
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

/** Removes a folder made by tempFolder. */
export function removeFolder(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Deterministic numbers in [-1, 1) (a 32-bit LCG): test data that does not depend on loopflow's Random. */
export function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32) * 2 - 1;
  };
}

/**
 * LayerNorm over the last axis of `x [rows, dim]` and the gradients of `loss = sum(y * R)`,
 * in float64 with plain loops, from the textbook formulas:
 *   xhat = (x - mu) / sqrt(var + eps),  y = xhat * w + b
 *   grad_b = sum_rows R,  grad_w = sum_rows R * xhat
 *   grad_x = rstd / dim * (dim * g - sum(g) - xhat * sum(g * xhat)),  g = R * w
 */
export function layerNormReference(x: number[], w: number[], b: number[], R: number[], dim: number, eps: number) {
  const rows = x.length / dim;
  const y = new Array<number>(x.length).fill(0);
  const gradX = new Array<number>(x.length).fill(0);
  const gradW = new Array<number>(dim).fill(0);
  const gradB = new Array<number>(dim).fill(0);
  for (let r = 0; r < rows; r++) {
    const row = x.slice(r * dim, (r + 1) * dim);
    const mu = row.reduce((a, v) => a + v, 0) / dim;
    const variance = row.reduce((a, v) => a + (v - mu) * (v - mu), 0) / dim;
    const rstd = 1 / Math.sqrt(variance + eps);
    const xhat = row.map((v) => (v - mu) * rstd);
    const g = xhat.map((_, j) => R[r * dim + j] * w[j]);
    const sumG = g.reduce((a, v) => a + v, 0);
    const sumGX = g.reduce((a, v, j) => a + v * xhat[j], 0);
    for (let j = 0; j < dim; j++) {
      const i = r * dim + j;
      y[i] = xhat[j] * w[j] + b[j];
      gradB[j] += R[i];
      gradW[j] += R[i] * xhat[j];
      gradX[i] = (rstd / dim) * (dim * g[j] - sumG - xhat[j] * sumGX);
    }
  }
  return { y, gradX, gradW, gradB };
}

/** A `layernorm` golden of any leading shape `[..., dim]`, values from `seed`, results from layerNormReference. */
export function layerNormGolden(leading: number[], dim: number, seed = 1, eps = 1e-5): Golden {
  const rand = lcg(seed);
  const rows = leading.reduce((a, d) => a * d, 1);
  const draw = (n: number, scale = 1, offset = 0) => Array.from({ length: n }, () => offset + scale * rand());
  const x = draw(rows * dim, 2);
  const w = draw(dim, 0.2, 1);
  const b = draw(dim, 0.2);
  const R = draw(rows * dim);
  const ref = layerNormReference(x, w, b, R, dim, eps);
  const shape = [...leading, dim];
  return {
    case: 'layernorm',
    config: { batch: rows, dim, eps, loss: 'sum(y*R)' },
    tensors: {
      x: { shape, data: x },
      weight: { shape: [dim], data: w },
      bias: { shape: [dim], data: b },
      y: { shape, data: ref.y },
      R: { shape, data: R },
      grad_x: { shape, data: ref.gradX },
      grad_weight: { shape: [dim], data: ref.gradW },
      grad_bias: { shape: [dim], data: ref.gradB },
    },
  };
}
