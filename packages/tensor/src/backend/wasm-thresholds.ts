import { BinaryKernelName, UnaryKernelName } from './kernels';

/**
 * Sizes below which the wasm backend hands a call to the reference kernel, because copying
 * the operands into WebAssembly memory and the result back (plus the call, about 0.2 us in
 * all) costs more than SIMD saves.
 *
 * Measured on the 2-core build machine (Node 20.20, wasm-relaxed, best of 5, ns per call,
 * reference / wasm):
 *
 * | length  |     16    |     32    |     64    |    128    |    256     |
 * |---------|-----------|-----------|-----------|-----------|------------|
 * | neg     |  37 / 223 |  71 / 171 | 108 / 173 | 215 / 172 |  405 / 185 |
 * | exp     | 170 / 247 | 321 / 239 | 692 / 276 |1319 / 418 | 2555 / 465 |
 * | log     | 166 / 230 | 300 / 269 | 595 / 338 |1187 / 489 | 2376 / 785 |
 * | sqrt    |  38 / 187 |  71 / 192 | 135 / 234 | 272 / 198 |  530 / 220 |
 * | tanh    | 278 / 216 | 545 / 278 |1078 / 327 |2190 / 474 | 4390 / 757 |
 * | sigmoid | 203 / 213 | 387 / 252 | 759 / 295 |1542 / 393 | 3104 / 601 |
 * | relu    |  42 / 185 |  77 / 194 | 150 / 216 | 325 / 205 |  584 / 199 |
 * | add     |  98 / 333 | 132 / 221 | 184 / 235 | 650 / 237 |  721 / 239 |
 * | mul     |  50 / 213 |  91 / 219 | 174 / 225 | 338 / 224 |  679 / 307 |
 * | div     |  52 / 221 |  94 / 218 | 181 / 237 | 353 / 229 |  810 / 268 |
 *
 * (sub as add/mul.) So: transcendental kernels win from 16-32 elements, the cheap ones
 * (neg, sqrt, relu, add, sub, mul, div) only from ~100. At 65536 elements wasm is 5-12x
 * faster (e.g. tanh 1.44 ms -> 0.22 ms, add 0.18 ms -> 0.04 ms). gelu and geluGrad (an exp
 * and a division per element, like sigmoid) take sigmoid's threshold.
 */
export const ELEMENTWISE_MIN_LENGTH: Readonly<Record<UnaryKernelName | BinaryKernelName, number>> = {
  neg: 128,
  exp: 32,
  log: 32,
  sqrt: 128,
  tanh: 16,
  sigmoid: 16,
  relu: 128,
  gelu: 16,
  add: 128,
  sub: 128,
  mul: 128,
  div: 128,
  geluGrad: 16,
};

/**
 * Products with fewer multiply-adds (m * k * n) than this run on the reference kernel.
 * Measured (ns per call, reference / wasm): 2x2x2 89 / 260, 4x4x4 218 / 312,
 * 3x5x7 315 / 292, 8x8x8 1423 / 328, 16x16x16 10464 / 429. Crossover near 100.
 */
export const MATMUL_MIN_WORK = 128;

/**
 * Products with at least this many multiply-adds use two threads (when the backend has a
 * helper thread, see wasm-threads.ts). Measured on the quiet 2-core machine, GFLOP/s one
 * thread -> two threads (wasm-relaxed, copies included): 32^3 15.6 -> 12.6, 64^3 27.0 -> 25.3,
 * [32x128]x[128x512] 35.4 -> 40.3, 128^3 38.6 -> 49.3, [32x192]x[192x512] 35.8 -> 48.4,
 * 256^3 39.7 -> 69.9, 512^3 38.6 -> 70.8, 1024^3 37.0 -> 69.7. Break-even lies between
 * 64^3 (0.26 M) and [32x128]x[128x512] (2.1 M).
 */
export const PARALLEL_MIN_WORK = 1 << 20;
