/**
 * Growing columns of numbers for the compact item and sample stores (issue 16): numbers in
 * typed arrays instead of one JS array (and object) per item. A {@link ChunkedColumn} grows
 * by whole chunks (no copy of what it holds when it grows, and a chunk can be released once
 * read: a stage that drains its store frees it as it goes); a {@link GrowingColumn} is one
 * typed array that doubles (for the small per-item columns).
 */

/** Elements per chunk of a {@link ChunkedColumn} (2^16: 512 KB of float64, 256 KB of int32). */
export const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

type Numbers = Float64Array | Int32Array | Uint16Array;

/** One long column of numbers in chunks of {@link CHUNK_BITS}: position `p` is `chunks[p >> 16][p & 0xffff]`. */
export class ChunkedColumn<A extends Numbers> {
  private chunks: (A | undefined)[] = [];
  /** Elements pushed so far. */
  length = 0;
  /** Elements before this position were released ({@link release}); reading them throws. */
  private released = 0;

  /**
   * @param make a chunk
   * @param widen for a column that starts narrow (uint16 ids): the wider chunk (int32) every
   *   chunk becomes at the first number outside [0, 65535]
   */
  constructor(
    private make: (size: number) => A,
    private widen?: (size: number) => A,
  ) {}

  /** Appends one number. */
  push(value: number): void {
    if (this.widen && !(value >= 0 && value <= 0xffff)) this.toWide(this.widen);
    const chunk = this.length >>> CHUNK_BITS;
    if (chunk === this.chunks.length) this.chunks.push(this.make(CHUNK));
    (this.chunks[chunk] as A)[this.length & MASK] = value;
    this.length += 1;
  }

  /** The number at position `p` (`0 <= p < length`, not released). */
  get(p: number): number {
    const chunk = this.chunks[p >>> CHUNK_BITS];
    if (chunk === undefined) throw new RangeError(`ChunkedColumn: position ${p} was released (released before ${this.released}) or never written (length ${this.length})`);
    return chunk[p & MASK];
  }

  /** Overwrites the number at position `p`. */
  set(p: number, value: number): void {
    const chunk = this.chunks[p >>> CHUNK_BITS];
    if (chunk === undefined) throw new RangeError(`ChunkedColumn: position ${p} was released or never written (length ${this.length})`);
    chunk[p & MASK] = value;
  }

  /** Frees the chunks that lie wholly before position `p` (they are not read again). */
  release(p: number): void {
    const whole = Math.min(p, this.length) >>> CHUNK_BITS;
    for (let c = this.released >>> CHUNK_BITS; c < whole; c++) this.chunks[c] = undefined;
    if (whole << CHUNK_BITS > this.released) this.released = whole << CHUNK_BITS;
  }

  private toWide(make: (size: number) => A): void {
    this.chunks = this.chunks.map((chunk) => {
      if (chunk === undefined) return undefined;
      const wide = make(CHUNK);
      wide.set(chunk);
      return wide;
    });
    this.make = make;
    this.widen = undefined;
  }

  /** Frees every chunk. */
  clear(): void {
    this.chunks.length = 0;
    this.length = 0;
    this.released = 0;
  }
}

/** A float64 column in chunks. */
export const float64Column = (): ChunkedColumn<Float64Array> => new ChunkedColumn((n) => new Float64Array(n));
/**
 * A column of int32 ids in chunks, held as uint16 (2 bytes an id) while every id lies in
 * [0, 65535] (a vocabulary of up to 65,536 tokens), widened to int32 at the first that does not.
 */
export const idColumn = (): ChunkedColumn<Int32Array | Uint16Array> =>
  new ChunkedColumn<Int32Array | Uint16Array>(
    (n) => new Uint16Array(n),
    (n) => new Int32Array(n),
  );

/** A typed array that doubles as it grows: `array.subarray(0, length)` is what was pushed. */
export class GrowingColumn<A extends Numbers | Uint8Array> {
  array: A;
  length = 0;

  constructor(private readonly make: (size: number) => A) {
    this.array = make(16);
  }

  push(value: number): void {
    if (this.length === this.array.length) {
      const grown = this.make(this.array.length * 2);
      grown.set(this.array);
      this.array = grown;
    }
    this.array[this.length++] = value;
  }

  /** Drops the spare capacity (after the last push). */
  trim(): void {
    if (this.array.length > this.length) this.array = this.array.slice(0, this.length) as A;
  }
}

/** Whether a number survives a round trip through an Int32Array unchanged (an integer in int32 range, not -0). */
export function isInt32(value: number): boolean {
  return (value | 0) === value && !(value === 0 && 1 / value < 0);
}
