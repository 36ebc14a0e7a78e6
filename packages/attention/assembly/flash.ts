/**
 * Fused scaled dot-product attention, FlashAttention-style, for one (batch, head) item.
 *
 * Forward: queries in blocks of BR rows against keys in blocks of BC: the score tile
 * S = (q * scale) k^T, masked (causal, key padding, a general byte mask) to -Infinity, then an
 * online softmax (running row max m and sum l; the output rows rescaled by e^(m_old - m_new)
 * when the max grows) and O += P V. Key blocks entirely above the causal diagonal are skipped.
 * Query i stands at key position `qoff + i` (0 unless the caller computes only the last
 * queries of a sequence): with `causal` it sees keys j <= qoff + i.
 * Only the output and the per-row log-sum-exp `lse = m + ln l` are kept (no [T, T] matrix).
 * A row with no allowed key keeps l = 0: its output is 0 and its lse 0.
 *
 * Backward (recomputing the scores): D = rowsum(dO * O); for every key block and every query
 * block that can see it: P = e^(S - lse) (0 where blocked), dV += P^T dO, dP = dO V^T,
 * dS = P * (dP - D), dQ += dS K, dK += dS^T (q * scale); finally dq = scale * dQ. Query blocks
 * whose dO rows are all zero are skipped (their terms are exactly zero): a model that reads only
 * its last output has one such live block in its last layer, whose backward pass is then linear
 * in T.
 *
 * Each item's operands are first packed into thread-local scratch, zero-padded: the left
 * operands of products row-major (q * scale [Tq2][dkp], dO [Tq2][dvp]), the right ones in
 * column strips read contiguously (k and v transposed, in 16-key strips; v, and for the
 * backward pass k, q * scale and dO, in feature strips of width 16 or 8), with Tq2 = Tq
 * rounded up to 2, Tkp = Tk rounded up to 16 and dkp, dvp the feature sizes rounded up to
 * their strip width; so every product is one micro-kernel (2 rows x 16 columns or 4 rows x 8
 * columns, 8 accumulators either way) with no edge cases, and padded keys / rows are masked
 * out. A feature size takes 8-wide strips when that pads it less (1-8, 17-24, ...: the heads
 * of width 5 of the comparison's transformer pad to 8, not 16, which more than halves the
 * work of the four products whose columns are features: P V, P^T dO, dS K, dS^T q).
 * Memory per thread: O((Tq + Tk) * (dk + dv)) floats, linear in T.
 *
 * Operands live anywhere in memory with element strides (batch, head, position; features are
 * contiguous), so q, k, v can be read in the caller's layout ([B, H, T, d], or heads side by
 * side in [B, T, H * d], or one [B, T, 3 * d] buffer of q, k and v) and the results written
 * back in it, with no permutes.
 */
import { hmax, hsum, madd } from '../../tensor/assembly/simd';
import { vexp } from '../../tensor/assembly/math';

/** Query rows per block (even). */
const BR: i32 = 16;
/** Keys per block (a multiple of 16). */
const BC: i32 = 64;

// @ts-ignore: decorator
@inline
function up(n: i32, m: i32): i32 {
  return ((n + m - 1) / m) * m;
}

/** What one item of a job needs: sizes, pointers (byte offsets) and element strides. */
@unmanaged
export class Problem {
  heads: i32 = 0;
  tq: i32 = 0;
  tk: i32 = 0;
  dk: i32 = 0;
  dv: i32 = 0;
  causal: i32 = 0;
  /** Key position of query 0: with `causal`, query i sees keys j <= qoff + i. */
  qoff: i32 = 0;
  scale: f32 = 0;
  q: usize = 0;
  k: usize = 0;
  v: usize = 0;
  o: usize = 0;
  lse: usize = 0;
  dout: usize = 0;
  dq: usize = 0;
  dk_: usize = 0;
  dv_: usize = 0;
  keyMask: usize = 0;
  mask: usize = 0;
  maskB: i32 = 0;
  maskH: i32 = 0;
  // Element strides (batch, head, position) of q (and dq), k (and dk), v (and dv), o (and dout).
  qb: i32 = 0; qh: i32 = 0; qt: i32 = 0;
  kb: i32 = 0; kh: i32 = 0; kt: i32 = 0;
  vb: i32 = 0; vh: i32 = 0; vt: i32 = 0;
  ob: i32 = 0; oh: i32 = 0; ot: i32 = 0;
}

/** The width (8 or 16) of the column strips of a feature size `d`: 8 when it pads `d` less. */
// @ts-ignore: decorator
@inline
function stripWidth(d: i32): i32 {
  return up(d, 8) < up(d, 16) ? 8 : 16;
}

/** Float sizes of the padded layouts. */
// @ts-ignore: decorator
@inline
function tq2(p: Problem): i32 { return up(p.tq, 2); }
// @ts-ignore: decorator
@inline
function tkp(p: Problem): i32 { return up(p.tk, 16); }
// @ts-ignore: decorator
@inline
function dkp(p: Problem): i32 { return up(p.dk, stripWidth(p.dk)); }
// @ts-ignore: decorator
@inline
function dvp(p: Problem): i32 { return up(p.dv, stripWidth(p.dv)); }

/** Bytes of one thread's scratch for the forward (`backward` 0) or backward pass. */
export function scratchBytesFor(tq: i32, tk: i32, dk: i32, dv: i32, backward: i32): usize {
  const a = <usize>up(tq, 2);
  const t = <usize>up(tk, 16);
  const ek = <usize>up(dk, stripWidth(dk));
  const ev = <usize>up(dv, stripWidth(dv));
  // Forward: q rows, k^T strips, v strips, the score tile, the output rows, m and l.
  let floats: usize = a * ek + <usize>dk * t + ev * t + <usize>(BR * BC) + <usize>BR * ev + <usize>(4 * BR);
  if (backward) {
    // q strips, k strips, v^T strips, dO rows and strips, dQ, dK, dV, the dS tile, lse and D.
    // ... and one flag per query block (whether its dO rows are all zero).
    floats += ek * a + ek * t + <usize>dv * t + 2 * a * ev + a * ek + t * ek + t * ev + <usize>(BR * BC) + 2 * a + (a + <usize>BR - 1) / <usize>BR;
  }
  return floats * 4 + 16 * 64;
}

/**
 * C[rows, cols] (+)= A B over `depth`: A's element (i, p) at a + 4 * (i * ais + p * aps); B
 * packed in 16-column strips (element (p, col) at b + 4 * ((col / 16) * strip + p * 16 +
 * col % 16), so a strip is read contiguously); C row-major with `ldc` floats a row. rows
 * even, cols a multiple of 16. Strips outside, row pairs inside: a strip (depth x 64 bytes)
 * stays in L1 while every row pair passes it.
 */
function mm(a: usize, ais: i32, aps: i32, b: usize, strip: i32, c: usize, ldc: i32, rows: i32, cols: i32, depth: i32, accumulate: bool): void {
  const aStep = <usize>aps << 2;
  for (let j = 0; j < cols; j += 16) {
    const jb = <usize>j << 2;
    const bs = b + (<usize>((j >> 4) * strip) << 2);
    for (let i = 0; i < rows; i += 2) {
      const a0 = a + (<usize>(i * ais) << 2);
      const a1 = a0 + (<usize>ais << 2);
      const c0 = c + (<usize>(i * ldc) << 2) + jb;
      const c1 = c0 + (<usize>ldc << 2);
      let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
      let y0 = f32x4.splat(0), y1 = f32x4.splat(0), y2 = f32x4.splat(0), y3 = f32x4.splat(0);
      if (accumulate) {
        x0 = v128.load(c0); x1 = v128.load(c0, 16); x2 = v128.load(c0, 32); x3 = v128.load(c0, 48);
        y0 = v128.load(c1); y1 = v128.load(c1, 16); y2 = v128.load(c1, 32); y3 = v128.load(c1, 48);
      }
      let pa0 = a0;
      let pa1 = a1;
      let pb = bs;
      for (let p = 0; p < depth; p++) {
        const s0 = v128.load32_splat(pa0);
        const s1 = v128.load32_splat(pa1);
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        const b2 = v128.load(pb, 32);
        const b3 = v128.load(pb, 48);
        x0 = madd(s0, b0, x0); x1 = madd(s0, b1, x1); x2 = madd(s0, b2, x2); x3 = madd(s0, b3, x3);
        y0 = madd(s1, b0, y0); y1 = madd(s1, b1, y1); y2 = madd(s1, b2, y2); y3 = madd(s1, b3, y3);
        pa0 += aStep;
        pa1 += aStep;
        pb += 64;
      }
      v128.store(c0, x0); v128.store(c0, x1, 16); v128.store(c0, x2, 32); v128.store(c0, x3, 48);
      v128.store(c1, y0); v128.store(c1, y1, 16); v128.store(c1, y2, 32); v128.store(c1, y3, 48);
    }
  }
}

/**
 * `mm` for B packed in 8-column strips (element (p, col) at b + 4 * ((col / 8) * strip +
 * p * 8 + col % 8)): 4 rows x 8 columns a micro-tile (8 accumulators), then 2 rows when
 * `rows` is 2 more than a multiple of 4. rows even, cols a multiple of 8.
 */
function mm8(a: usize, ais: i32, aps: i32, b: usize, strip: i32, c: usize, ldc: i32, rows: i32, cols: i32, depth: i32, accumulate: bool): void {
  const aStep = <usize>aps << 2;
  const aRow = <usize>ais << 2;
  const cRow = <usize>ldc << 2;
  for (let j = 0; j < cols; j += 8) {
    const jb = <usize>j << 2;
    const bs = b + (<usize>((j >> 3) * strip) << 2);
    let i = 0;
    for (; i + 4 <= rows; i += 4) {
      const a0 = a + (<usize>(i * ais) << 2);
      const c0 = c + (<usize>(i * ldc) << 2) + jb;
      let x0 = f32x4.splat(0), x1 = f32x4.splat(0), y0 = f32x4.splat(0), y1 = f32x4.splat(0);
      let z0 = f32x4.splat(0), z1 = f32x4.splat(0), w0 = f32x4.splat(0), w1 = f32x4.splat(0);
      if (accumulate) {
        x0 = v128.load(c0); x1 = v128.load(c0, 16);
        y0 = v128.load(c0 + cRow); y1 = v128.load(c0 + cRow, 16);
        z0 = v128.load(c0 + 2 * cRow); z1 = v128.load(c0 + 2 * cRow, 16);
        w0 = v128.load(c0 + 3 * cRow); w1 = v128.load(c0 + 3 * cRow, 16);
      }
      let pa = a0;
      let pb = bs;
      for (let p = 0; p < depth; p++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        const s0 = v128.load32_splat(pa);
        x0 = madd(s0, b0, x0); x1 = madd(s0, b1, x1);
        const s1 = v128.load32_splat(pa + aRow);
        y0 = madd(s1, b0, y0); y1 = madd(s1, b1, y1);
        const s2 = v128.load32_splat(pa + 2 * aRow);
        z0 = madd(s2, b0, z0); z1 = madd(s2, b1, z1);
        const s3 = v128.load32_splat(pa + 3 * aRow);
        w0 = madd(s3, b0, w0); w1 = madd(s3, b1, w1);
        pa += aStep;
        pb += 32;
      }
      v128.store(c0, x0); v128.store(c0, x1, 16);
      v128.store(c0 + cRow, y0); v128.store(c0 + cRow, y1, 16);
      v128.store(c0 + 2 * cRow, z0); v128.store(c0 + 2 * cRow, z1, 16);
      v128.store(c0 + 3 * cRow, w0); v128.store(c0 + 3 * cRow, w1, 16);
    }
    if (i < rows) {
      // The last two rows.
      const a0 = a + (<usize>(i * ais) << 2);
      const c0 = c + (<usize>(i * ldc) << 2) + jb;
      let x0 = f32x4.splat(0), x1 = f32x4.splat(0), y0 = f32x4.splat(0), y1 = f32x4.splat(0);
      if (accumulate) {
        x0 = v128.load(c0); x1 = v128.load(c0, 16);
        y0 = v128.load(c0 + cRow); y1 = v128.load(c0 + cRow, 16);
      }
      let pa = a0;
      let pb = bs;
      for (let p = 0; p < depth; p++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        const s0 = v128.load32_splat(pa);
        const s1 = v128.load32_splat(pa + aRow);
        x0 = madd(s0, b0, x0); x1 = madd(s0, b1, x1);
        y0 = madd(s1, b0, y0); y1 = madd(s1, b1, y1);
        pa += aStep;
        pb += 32;
      }
      v128.store(c0, x0); v128.store(c0, x1, 16);
      v128.store(c0 + cRow, y0); v128.store(c0 + cRow, y1, 16);
    }
  }
}

/** `mm` or `mm8` by the strip width `w` (16 or 8) of B. */
// @ts-ignore: decorator
@inline
function mmw(w: i32, a: usize, ais: i32, aps: i32, b: usize, strip: i32, c: usize, ldc: i32, rows: i32, cols: i32, depth: i32, accumulate: bool): void {
  if (w == 8) mm8(a, ais, aps, b, strip, c, ldc, rows, cols, depth, accumulate);
  else mm(a, ais, aps, b, strip, c, ldc, rows, cols, depth, accumulate);
}

/** Zeroes `n` floats at `ptr` (n a multiple of 4). */
function zero(ptr: usize, n: i32): void {
  memory.fill(ptr, 0, <usize>n << 2);
}

/** Copies rows [0, n) of a strided operand (row r at src + 4 * r * stride, `d` floats) into dst [rows][ld] times `s`, zero-padding to `ld` columns and `rows` rows. */
function packRows(src: usize, stride: i32, n: i32, d: i32, s: f32, dst: usize, ld: i32, rows: i32): void {
  zero(dst, rows * ld);
  const sv = f32x4.splat(s);
  for (let r = 0; r < n; r++) {
    const from = src + (<usize>(r * stride) << 2);
    const to = dst + (<usize>(r * ld) << 2);
    let c = 0;
    for (; c + 4 <= d; c += 4) v128.store(to + (<usize>c << 2), f32x4.mul(v128.load(from + (<usize>c << 2)), sv));
    for (; c < d; c++) store<f32>(to + (<usize>c << 2), load<f32>(from + (<usize>c << 2)) * s);
  }
}

/**
 * Rows [0, n) of a strided operand (`d` features) times `s` as `w`-column strips (w 8 or 16)
 * for `mm`'s / `mm8`'s B: feature c of row r at dst + 4 * ((c / w) * rows * w + r * w + c % w);
 * zero past n and d (rows >= n, the padded row count; the strip of a row block starting at
 * r0 is at r0 * w).
 */
function packStrips(src: usize, stride: i32, n: i32, d: i32, s: f32, dst: usize, rows: i32, w: i32): void {
  zero(dst, up(d, w) * rows);
  const strip = <usize>(rows * w) << 2;
  const shift: i32 = w == 8 ? 3 : 4;
  const sv = f32x4.splat(s);
  for (let r = 0; r < n; r++) {
    const from = src + (<usize>(r * stride) << 2);
    const to = dst + (<usize>(r * w) << 2);
    let c = 0;
    // Four features at a time never cross a strip (8 and 16 are multiples of 4).
    for (; c + 4 <= d; c += 4) v128.store(to + (<usize>(c >> shift)) * strip + (<usize>(c & (w - 1)) << 2), f32x4.mul(v128.load(from + (<usize>c << 2)), sv));
    for (; c < d; c++) store<f32>(to + (<usize>(c >> shift)) * strip + (<usize>(c & (w - 1)) << 2), load<f32>(from + (<usize>c << 2)) * s);
  }
}

/**
 * The transpose of rows [0, n) (`d` features) as 16-column strips for `mm`'s B: row r becomes
 * column r, so feature c of row r is at dst + 4 * ((r / 16) * d * 16 + c * 16 + r % 16); zero
 * past n (up to n rounded up to 16). The strips of keys from j0 start at j0 * d.
 */
function packStripsTransposed(src: usize, stride: i32, n: i32, d: i32, dst: usize): void {
  zero(dst, d * up(n, 16));
  let r = 0;
  // 4 x 4 blocks: four rows (keys r..r+3, one strip) by four features, transposed in registers.
  for (; r + 4 <= n; r += 4) {
    const f0 = src + (<usize>(r * stride) << 2);
    const f1 = f0 + (<usize>stride << 2);
    const f2 = f1 + (<usize>stride << 2);
    const f3 = f2 + (<usize>stride << 2);
    const to = dst + (<usize>((r >> 4) * d * 16 + (r & 15)) << 2);
    let c = 0;
    for (; c + 4 <= d; c += 4) {
      const at = <usize>c << 2;
      const a = v128.load(f0 + at), b = v128.load(f1 + at), e = v128.load(f2 + at), g = v128.load(f3 + at);
      const ab0 = i32x4.shuffle(a, b, 0, 4, 1, 5); // a0 b0 a1 b1
      const ab1 = i32x4.shuffle(a, b, 2, 6, 3, 7); // a2 b2 a3 b3
      const eg0 = i32x4.shuffle(e, g, 0, 4, 1, 5);
      const eg1 = i32x4.shuffle(e, g, 2, 6, 3, 7);
      const out = to + (<usize>(c * 16) << 2);
      v128.store(out, i32x4.shuffle(ab0, eg0, 0, 1, 4, 5)); // feature c
      v128.store(out, i32x4.shuffle(ab0, eg0, 2, 3, 6, 7), 64); // c + 1
      v128.store(out, i32x4.shuffle(ab1, eg1, 0, 1, 4, 5), 128); // c + 2
      v128.store(out, i32x4.shuffle(ab1, eg1, 2, 3, 6, 7), 192); // c + 3
    }
    for (; c < d; c++) {
      const out = to + (<usize>(c * 16) << 2);
      const at = <usize>c << 2;
      store<f32>(out, load<f32>(f0 + at));
      store<f32>(out, load<f32>(f1 + at), 4);
      store<f32>(out, load<f32>(f2 + at), 8);
      store<f32>(out, load<f32>(f3 + at), 12);
    }
  }
  for (; r < n; r++) {
    const from = src + (<usize>(r * stride) << 2);
    const to = dst + (<usize>((r >> 4) * d * 16 + (r & 15)) << 2);
    for (let c = 0; c < d; c++) store<f32>(to + (<usize>(c * 16) << 2), load<f32>(from + (<usize>c << 2)));
  }
}

/** Writes rows [0, n) of src [n][ld] times `s` to a strided operand (d floats a row). */
function unpackRows(src: usize, ld: i32, n: i32, d: i32, s: f32, dst: usize, stride: i32): void {
  const sv = f32x4.splat(s);
  for (let r = 0; r < n; r++) {
    const from = src + (<usize>(r * ld) << 2);
    const to = dst + (<usize>(r * stride) << 2);
    let c = 0;
    for (; c + 4 <= d; c += 4) v128.store(to + (<usize>c << 2), f32x4.mul(v128.load(from + (<usize>c << 2)), sv));
    for (; c < d; c++) store<f32>(to + (<usize>c << 2), load<f32>(from + (<usize>c << 2)) * s);
  }
}

/**
 * Sets the blocked entries of the score tile s [rows][BC] (queries i0.., keys j0.. (cols of
 * them)) to -Infinity: padded rows and keys, the causal upper triangle, padded keys of
 * `keyMask` (u8 [Tk] of this batch row, 0 = blocked) and zeros of `mask` (u8 [Tq][Tk] of this
 * item).
 */
function maskTile(p: Problem, s: usize, rows: i32, cols: i32, i0: i32, j0: i32, keyMask: usize, mask: usize): void {
  const tq = p.tq;
  const tk = p.tk;
  const causal = p.causal != 0;
  const ninf: f32 = -Infinity;
  for (let r = 0; r < rows; r++) {
    const i = i0 + r;
    const row = s + (<usize>(r * BC) << 2);
    if (i >= tq) {
      for (let c = 0; c < cols; c++) store<f32>(row + (<usize>c << 2), ninf);
      continue;
    }
    let end = tk - j0; // keys at or past `end` are blocked
    if (causal && p.qoff + i + 1 - j0 < end) end = p.qoff + i + 1 - j0;
    if (end < 0) end = 0;
    for (let c = end; c < cols; c++) store<f32>(row + (<usize>c << 2), ninf);
    const limit = end < cols ? end : cols;
    if (keyMask != 0) {
      for (let c = 0; c < limit; c++) if (load<u8>(keyMask + <usize>(j0 + c)) == 0) store<f32>(row + (<usize>c << 2), ninf);
    }
    if (mask != 0) {
      const m = mask + <usize>(i * tk + j0);
      for (let c = 0; c < limit; c++) if (load<u8>(m + <usize>c) == 0) store<f32>(row + (<usize>c << 2), ninf);
    }
  }
}

/** Whether the tile (rows from i0, cols from j0) needs `maskTile`. */
// @ts-ignore: decorator
@inline
function needsMask(p: Problem, rows: i32, cols: i32, i0: i32, j0: i32, masked: bool): bool {
  return masked || i0 + rows > p.tq || j0 + cols > p.tk || (p.causal != 0 && j0 + cols - 1 > p.qoff + i0);
}

/** The forward pass of item (b, h) with `scratch` bytes of its own. */
export function forwardItem(p: Problem, b: i32, h: i32, scratch: usize): void {
  const Tq = p.tq, Tk = p.tk, dk = p.dk, dv = p.dv;
  const A = tq2(p), K = tkp(p), EK = dkp(p), EV = dvp(p);
  const qs = scratch;
  const kT = qs + (<usize>(A * EK) << 2);
  const vv = kT + (<usize>(dk * K) << 2);
  const s = vv + (<usize>(K * EV) << 2);
  const acc = s + (<usize>(BR * BC) << 2);
  const mrow = acc + (<usize>(BR * EV) << 2);
  const lrow = mrow + (<usize>BR << 2);
  const q = p.q + (<usize>(b * p.qb + h * p.qh) << 2);
  const k = p.k + (<usize>(b * p.kb + h * p.kh) << 2);
  const v = p.v + (<usize>(b * p.vb + h * p.vh) << 2);
  const o = p.o + (<usize>(b * p.ob + h * p.oh) << 2);
  const lse = p.lse + (<usize>((b * p.heads + h) * Tq) << 2);
  const keyMask = p.keyMask != 0 ? p.keyMask + <usize>(b * Tk) : 0;
  const mask = p.mask != 0 ? p.mask + <usize>(b * p.maskB + h * p.maskH) : 0;
  const masked = keyMask != 0 || mask != 0;
  packRows(q, p.qt, Tq, dk, p.scale, qs, EK, A);
  packStripsTransposed(k, p.kt, Tk, dk, kT);
  const WV = stripWidth(dv);
  packStrips(v, p.vt, Tk, dv, 1, vv, K, WV);
  const ninf = f32x4.splat(-Infinity);
  for (let i0 = 0; i0 < Tq; i0 += BR) {
    const rows = i0 + BR <= A ? BR : A - i0;
    zero(acc, rows * EV);
    for (let r = 0; r < rows; r++) {
      store<f32>(mrow + (<usize>r << 2), -Infinity);
      store<f32>(lrow + (<usize>r << 2), 0);
    }
    // Causal: keys past the block's last query (at key position qoff + i0 + rows - 1) are never seen.
    let kEnd = K;
    if (p.causal != 0) {
      const seen = p.qoff + i0 + rows;
      const last = up(seen < Tk ? seen : Tk, 16);
      if (last < kEnd) kEnd = last;
    }
    for (let j0 = 0; j0 < kEnd; j0 += BC) {
      const cols = j0 + BC <= kEnd ? BC : kEnd - j0;
      mm(qs + (<usize>(i0 * EK) << 2), EK, 1, kT + (<usize>(j0 * dk) << 2), dk * 16, s, BC, rows, cols, dk, false);
      if (needsMask(p, rows, cols, i0, j0, masked)) maskTile(p, s, rows, cols, i0, j0, keyMask, mask);
      // Online softmax, row by row: P = e^(S - m_new) in place, l and the output rescaled.
      for (let r = 0; r < rows; r++) {
        const row = s + (<usize>(r * BC) << 2);
        let mv = ninf;
        for (let c = 0; c < cols; c += 4) mv = f32x4.pmax(mv, v128.load(row + (<usize>c << 2)));
        const tileMax = hmax(mv);
        const mOld = load<f32>(mrow + (<usize>r << 2));
        const mNew = tileMax > mOld ? tileMax : mOld;
        if (mNew == -Infinity) {
          // Nothing allowed so far in this row: P = 0.
          for (let c = 0; c < cols; c += 4) v128.store(row + (<usize>c << 2), f32x4.splat(0));
          continue;
        }
        const mSplat = f32x4.splat(mNew);
        let sum = f32x4.splat(0);
        for (let c = 0; c < cols; c += 4) {
          const x = v128.load(row + (<usize>c << 2));
          const e = v128.and(vexp(f32x4.sub(x, mSplat)), f32x4.ne(x, ninf));
          v128.store(row + (<usize>c << 2), e);
          sum = f32x4.add(sum, e);
        }
        if (mNew > mOld) {
          const alpha: f32 = mOld == -Infinity ? 0 : <f32>Math.exp(<f64>(mOld - mNew));
          store<f32>(lrow + (<usize>r << 2), load<f32>(lrow + (<usize>r << 2)) * alpha + hsum(sum));
          store<f32>(mrow + (<usize>r << 2), mNew);
          const out = acc + (<usize>(r * EV) << 2);
          const av = f32x4.splat(alpha);
          for (let c = 0; c < EV; c += 4) v128.store(out + (<usize>c << 2), f32x4.mul(v128.load(out + (<usize>c << 2)), av));
        } else {
          store<f32>(lrow + (<usize>r << 2), load<f32>(lrow + (<usize>r << 2)) + hsum(sum));
        }
      }
      mmw(WV, s, BC, 1, vv + (<usize>(j0 * WV) << 2), K * WV, acc, EV, rows, EV, cols, true);
    }
    // O = acc / l (0 for a row with no allowed key), lse = m + ln l.
    const real = i0 + rows <= Tq ? rows : Tq - i0;
    for (let r = 0; r < real; r++) {
      const l = load<f32>(lrow + (<usize>r << 2));
      const inv: f32 = l > 0 ? 1 / l : 0;
      const m = load<f32>(mrow + (<usize>r << 2));
      store<f32>(lse + (<usize>(i0 + r) << 2), l > 0 ? m + <f32>Math.log(<f64>l) : 0);
      unpackRows(acc + (<usize>(r * EV) << 2), EV, 1, dv, inv, o + (<usize>((i0 + r) * p.ot) << 2), p.ot);
    }
  }
}

/** The backward pass of item (b, h): reads q, k, v, o, lse and dout; writes dq, dk, dv. */
export function backwardItem(p: Problem, b: i32, h: i32, scratch: usize): void {
  const Tq = p.tq, Tk = p.tk, dk = p.dk, dv = p.dv;
  const A = tq2(p), K = tkp(p), EK = dkp(p), EV = dvp(p);
  const qs = scratch; // [A][EK] rows
  const qsS = qs + (<usize>(A * EK) << 2); // strips
  const kT = qsS + (<usize>(A * EK) << 2); // transposed strips
  const kS = kT + (<usize>(dk * K) << 2); // strips
  const vT = kS + (<usize>(K * EK) << 2); // transposed strips
  const dO = vT + (<usize>(dv * K) << 2); // [A][EV] rows
  const dOS = dO + (<usize>(A * EV) << 2); // strips
  const dQ = dOS + (<usize>(A * EV) << 2);
  const dK = dQ + (<usize>(A * EK) << 2);
  const dV = dK + (<usize>(K * EK) << 2);
  const s = dV + (<usize>(K * EV) << 2);
  const ds = s + (<usize>(BR * BC) << 2);
  const lrow = ds + (<usize>(BR * BC) << 2);
  const drow = lrow + (<usize>A << 2);
  const live = drow + (<usize>A << 2); // i32 per query block: 1 when some dO entry in it is not 0
  const q = p.q + (<usize>(b * p.qb + h * p.qh) << 2);
  const k = p.k + (<usize>(b * p.kb + h * p.kh) << 2);
  const v = p.v + (<usize>(b * p.vb + h * p.vh) << 2);
  const o = p.o + (<usize>(b * p.ob + h * p.oh) << 2);
  const dout = p.dout + (<usize>(b * p.ob + h * p.oh) << 2);
  const lse = p.lse + (<usize>((b * p.heads + h) * Tq) << 2);
  const keyMask = p.keyMask != 0 ? p.keyMask + <usize>(b * Tk) : 0;
  const mask = p.mask != 0 ? p.mask + <usize>(b * p.maskB + h * p.maskH) : 0;
  const masked = keyMask != 0 || mask != 0;
  const WK = stripWidth(dk), WV = stripWidth(dv);
  packRows(q, p.qt, Tq, dk, p.scale, qs, EK, A);
  packStrips(q, p.qt, Tq, dk, p.scale, qsS, A, WK);
  packStripsTransposed(k, p.kt, Tk, dk, kT);
  packStrips(k, p.kt, Tk, dk, 1, kS, K, WK);
  packStripsTransposed(v, p.vt, Tk, dv, vT);
  packRows(dout, p.ot, Tq, dv, 1, dO, EV, A);
  packStrips(dout, p.ot, Tq, dv, 1, dOS, A, WV);
  zero(dQ, A * EK);
  zero(dK, K * EK);
  zero(dV, K * EV);
  // lse and D = rowsum(dO * O) per query row (0 for padded rows).
  for (let i = 0; i < A; i++) {
    let d: f32 = 0;
    let l: f32 = 0;
    if (i < Tq) {
      const orow = o + (<usize>(i * p.ot) << 2);
      const grow = dO + (<usize>(i * EV) << 2);
      for (let c = 0; c < dv; c++) d += load<f32>(orow + (<usize>c << 2)) * load<f32>(grow + (<usize>c << 2));
      l = load<f32>(lse + (<usize>i << 2));
    }
    store<f32>(drow + (<usize>i << 2), d);
    store<f32>(lrow + (<usize>i << 2), l);
  }
  // A query block whose dO rows are all zero (the rows no loss reads, e.g. every row but the
  // last in a model trained on its last output) contributes nothing: dP = dO V^T = 0 and
  // D = 0, so dS = 0, and P^T dO = 0. Such blocks are skipped below; NaN and infinities count as
  // not zero, so they still propagate.
  const zeroV = f32x4.splat(0);
  for (let i0 = 0; i0 < A; i0 += BR) {
    const rows = i0 + BR <= A ? BR : A - i0;
    const from = dO + (<usize>(i0 * EV) << 2);
    const n = rows * EV;
    let any = false;
    for (let c = 0; c < n && !any; c += 4) any = v128.any_true(f32x4.ne(v128.load(from + (<usize>c << 2)), zeroV));
    store<i32>(live + (<usize>(i0 / BR) << 2), any ? 1 : 0);
  }
  const ninf = f32x4.splat(-Infinity);
  for (let j0 = 0; j0 < K; j0 += BC) {
    const colsAll = j0 + BC <= K ? BC : K - j0;
    // Causal: query blocks whose last row stands before key j0 (query i at key position
    // qoff + i) see none of these keys.
    let iStart = 0;
    if (p.causal != 0 && j0 > p.qoff) iStart = ((j0 - p.qoff) / BR) * BR;
    for (let i0 = iStart; i0 < Tq; i0 += BR) {
      if (load<i32>(live + (<usize>(i0 / BR) << 2)) == 0) continue;
      const rows = i0 + BR <= A ? BR : A - i0;
      // Causal: keys past the block's last query are blocked for every row; leave them out.
      let cols = colsAll;
      if (p.causal != 0) {
        const seen = p.qoff + i0 + rows - j0; // keys from j0 that the block's last row may see
        if (seen <= 0) continue;
        if (up(seen, 16) < cols) cols = up(seen, 16);
      }
      mm(qs + (<usize>(i0 * EK) << 2), EK, 1, kT + (<usize>(j0 * dk) << 2), dk * 16, s, BC, rows, cols, dk, false);
      if (needsMask(p, rows, cols, i0, j0, masked)) maskTile(p, s, rows, cols, i0, j0, keyMask, mask);
      // P = e^(S - lse) (0 where blocked), in place.
      for (let r = 0; r < rows; r++) {
        const row = s + (<usize>(r * BC) << 2);
        const ls = f32x4.splat(load<f32>(lrow + (<usize>(i0 + r) << 2)));
        for (let c = 0; c < cols; c += 4) {
          const x = v128.load(row + (<usize>c << 2));
          v128.store(row + (<usize>c << 2), v128.and(vexp(f32x4.sub(x, ls)), f32x4.ne(x, ninf)));
        }
      }
      // dV[j0..] += P^T dO[i0..]
      mmw(WV, s, 1, BC, dOS + (<usize>(i0 * WV) << 2), A * WV, dV + (<usize>(j0 * EV) << 2), EV, cols, EV, rows, true);
      // dP = dO[i0..] V^T, then dS = P * (dP - D)
      mm(dO + (<usize>(i0 * EV) << 2), EV, 1, vT + (<usize>(j0 * dv) << 2), dv * 16, ds, BC, rows, cols, dv, false);
      for (let r = 0; r < rows; r++) {
        const prow = s + (<usize>(r * BC) << 2);
        const drw = ds + (<usize>(r * BC) << 2);
        const dd = f32x4.splat(load<f32>(drow + (<usize>(i0 + r) << 2)));
        for (let c = 0; c < cols; c += 4) {
          const at = <usize>c << 2;
          v128.store(drw + at, f32x4.mul(v128.load(prow + at), f32x4.sub(v128.load(drw + at), dd)));
        }
      }
      // dQ[i0..] += dS K[j0..];  dK[j0..] += dS^T (q * scale)[i0..]
      mmw(WK, ds, BC, 1, kS + (<usize>(j0 * WK) << 2), K * WK, dQ + (<usize>(i0 * EK) << 2), EK, rows, EK, cols, true);
      mmw(WK, ds, 1, BC, qsS + (<usize>(i0 * WK) << 2), A * WK, dK + (<usize>(j0 * EK) << 2), EK, cols, EK, rows, true);
    }
  }
  unpackRows(dQ, EK, Tq, dk, p.scale, p.dq + (<usize>(b * p.qb + h * p.qh) << 2), p.qt);
  unpackRows(dK, EK, Tk, dk, 1, p.dk_ + (<usize>(b * p.kb + h * p.kh) << 2), p.kt);
  unpackRows(dV, EV, Tk, dv, 1, p.dv_ + (<usize>(b * p.vb + h * p.vh) << 2), p.vt);
}
