import { Tensor, allocate, fromArray, fmtShape } from '@loopflow/tensor';
import { DataError } from '../errors';

/** 'minmax' maps each column's training range onto `range` (default [0, 1]); 'standard' to zero mean, unit variance. */
export type ScalerKind = 'minmax' | 'standard';

/** A fitted scaler as JSON (what `toJSON` writes and `fromJSON` reads). */
export interface ScalerJSON {
  readonly format: 'loopflow-scaler';
  readonly version: 1;
  readonly kind: ScalerKind;
  /** Per column: the minimum (minmax) or mean (standard) of the training rows. */
  readonly offset: readonly number[];
  /** Per column: the range (minmax) or population standard deviation (standard); 1 where it was 0. */
  readonly scale: readonly number[];
  /** The target interval (minmax); [0, 1] for standard, which makes the formula the same. */
  readonly range: readonly [number, number];
  /** How many rows it was fitted on. */
  readonly count: number;
}

/**
 * Running statistics of rows (count, min, max, mean and M2 by Welford's method), so a scaler
 * can be fitted on a stream in one pass with memory of one row.
 */
export class ScalerFitter {
  private count = 0;
  private min: number[] = [];
  private max: number[] = [];
  private mean: number[] = [];
  private m2: number[] = [];

  constructor(
    readonly kind: ScalerKind,
    readonly range: readonly [number, number] = [0, 1],
  ) {
    if (kind !== 'minmax' && kind !== 'standard') throw new DataError('DATA_INVALID_ARGUMENT', `Scaler: kind ${JSON.stringify(kind)}; expected 'minmax' or 'standard'`);
    if (!(range[1] > range[0])) throw new DataError('DATA_INVALID_ARGUMENT', `Scaler: range [${range}] is empty; expected [low, high] with low < high`);
  }

  /** Adds one row; a non-finite value is a `DATA_BAD_VALUE` error naming row and column. */
  add(row: readonly number[]): void {
    if (this.count === 0) {
      this.min = row.slice();
      this.max = row.slice();
      this.mean = new Array(row.length).fill(0);
      this.m2 = new Array(row.length).fill(0);
    } else if (row.length !== this.mean.length) {
      throw new DataError('DATA_SHAPE', `Scaler.fit: row ${this.count} has ${row.length} values but the first row had ${this.mean.length}; every row needs the same columns`);
    }
    this.count += 1;
    for (let i = 0; i < row.length; i++) {
      const x = row[i];
      if (!Number.isFinite(x)) {
        throw new DataError('DATA_BAD_VALUE', `Scaler.fit: row ${this.count - 1}, column ${i} is ${x}; expected finite numbers (fill or drop missing values before fitting)`, {
          column: i,
          expected: 'a finite number',
          received: String(x),
        });
      }
      if (x < this.min[i]) this.min[i] = x;
      if (x > this.max[i]) this.max[i] = x;
      const delta = x - this.mean[i];
      this.mean[i] += delta / this.count;
      this.m2[i] += delta * (x - this.mean[i]);
    }
  }

  /** The fitted scaler; a `DATA_INVALID_ARGUMENT` error if no row was added. */
  finish(): Scaler {
    if (this.count === 0) throw new DataError('DATA_INVALID_ARGUMENT', 'Scaler.fit: no rows; expected at least one training row');
    const minmax = this.kind === 'minmax';
    const offset = minmax ? this.min.slice() : this.mean.slice();
    const scale = minmax ? this.max.map((m, i) => m - this.min[i]) : this.m2.map((s) => Math.sqrt(s / this.count));
    for (let i = 0; i < scale.length; i++) {
      if (!Number.isFinite(offset[i]) || !Number.isFinite(scale[i])) {
        const what = minmax ? `its range (${this.max[i]} - ${this.min[i]})` : `its mean or standard deviation`;
        throw new DataError('DATA_BAD_VALUE', `Scaler.fit: column ${i}: ${what} overflows float64 (values from ${this.min[i]} to ${this.max[i]}); expected ${minmax ? 'a range below about 1.8e308' : 'values below about 1e154 in magnitude (the standard deviation squares them)'}; rescale the column (e.g. other units) before fitting`, {
          column: i,
          expected: 'values of a magnitude float64 can scale',
          received: `${this.min[i]} to ${this.max[i]}`,
        });
      }
    }
    return Scaler.fromJSON({
      format: 'loopflow-scaler',
      version: 1,
      kind: this.kind,
      offset,
      scale: scale.map((s) => (s > 0 ? s : 1)),
      range: minmax ? [this.range[0], this.range[1]] : [0, 1],
      count: this.count,
    });
  }
}

/**
 * A per-column affine scaler, fitted on the training split only and applied to every split:
 * `y = low + (x - offset) / scale * (high - low)`; `inverse` gives the original units back
 * for reporting. Serialisable with `toJSON` / `Scaler.fromJSON`.
 *
 * @example
 * const s = Scaler.fit('minmax', trainRows);      // rows: [time][features]
 * s.transform([315.7]);                          // in [0, 1] on the training range
 * s.inverseTensor(predictions);                  // [..., features] back in ppm
 */
export class Scaler {
  private constructor(private readonly state: ScalerJSON) {}

  /** Fits on in-memory rows (`[rows][features]`). */
  static fit(kind: ScalerKind, rows: Iterable<readonly number[]>, options: { range?: readonly [number, number] } = {}): Scaler {
    const fitter = new ScalerFitter(kind, options.range);
    for (const row of rows) fitter.add(row);
    return fitter.finish();
  }

  /** Restores a saved scaler, checking it. */
  static fromJSON(json: ScalerJSON): Scaler {
    const fail = (what: string): never => {
      throw new DataError('DATA_INVALID_STATE', `Scaler.fromJSON: ${what}; pass the object written by scaler.toJSON()`);
    };
    if (json?.format !== 'loopflow-scaler' || json.version !== 1) fail(`format ${JSON.stringify(json?.format)} version ${JSON.stringify(json?.version)}; expected 'loopflow-scaler' version 1`);
    if (json.kind !== 'minmax' && json.kind !== 'standard') fail(`kind ${JSON.stringify(json.kind)}; expected 'minmax' or 'standard'`);
    if (!Array.isArray(json.offset) || !Array.isArray(json.scale) || json.offset.length !== json.scale.length) fail('offset and scale must be arrays of the same length');
    json.scale.forEach((s, i) => (Number.isFinite(s) && s > 0 ? undefined : fail(`scale[${i}] is ${s}; expected a positive number`)));
    json.offset.forEach((o, i) => (Number.isFinite(o) ? undefined : fail(`offset[${i}] is ${o}; expected a finite number`)));
    if (!Array.isArray(json.range) || !(json.range[1] > json.range[0])) fail(`range ${JSON.stringify(json.range)}; expected [low, high] with low < high`);
    return new Scaler({ ...json, offset: json.offset.slice(), scale: json.scale.slice(), range: [json.range[0], json.range[1]] });
  }

  /** 'minmax' or 'standard'. */
  get kind(): ScalerKind {
    return this.state.kind;
  }
  /** Number of columns. */
  get features(): number {
    return this.state.offset.length;
  }
  /** Rows it was fitted on. */
  get count(): number {
    return this.state.count;
  }

  /** Scales one row of `features` values. */
  transform(row: readonly number[]): number[] {
    this.checkWidth('transform', row.length);
    const { offset, scale, range } = this.state;
    const width = range[1] - range[0];
    return row.map((x, i) => range[0] + ((x - offset[i]) / scale[i]) * width);
  }

  /** Maps one scaled row back to the original units. */
  inverse(row: readonly number[]): number[] {
    this.checkWidth('inverse', row.length);
    const { offset, scale, range } = this.state;
    const width = range[1] - range[0];
    return row.map((y, i) => offset[i] + ((y - range[0]) / width) * scale[i]);
  }

  /** Maps a tensor of scaled values `[..., features]` back to the original units (same shape, no gradient). */
  inverseTensor(t: Tensor): Tensor {
    const f = t.shape[t.shape.length - 1];
    if (t.shape.length === 0 || f !== this.features) {
      throw new DataError('DATA_SHAPE', `Scaler.inverseTensor: tensor of shape ${fmtShape(t.shape)}; expected a last dimension of ${this.features} (the scaler's features); use scaler.select(columns) for a subset`);
    }
    const { offset, scale, range } = this.state;
    const width = range[1] - range[0];
    const out = allocate(t.dtype, t.size);
    for (let i = 0; i < t.size; i++) {
      const c = i % f;
      out[i] = offset[c] + ((t.data[i] - range[0]) / width) * scale[c];
    }
    return fromArray(out, t.shape.slice());
  }

  /** The scaler of a subset of columns (e.g. the target columns of a forecast). */
  select(columns: readonly number[]): Scaler {
    for (const c of columns) if (!Number.isInteger(c) || c < 0 || c >= this.features) throw new DataError('DATA_INVALID_ARGUMENT', `Scaler.select: column ${c}; expected indices in [0, ${this.features - 1}]`);
    return new Scaler({ ...this.state, offset: columns.map((c) => this.state.offset[c]), scale: columns.map((c) => this.state.scale[c]) });
  }

  /** The scaler as JSON, to save with a model. */
  toJSON(): ScalerJSON {
    return { ...this.state, offset: this.state.offset.slice(), scale: this.state.scale.slice(), range: [this.state.range[0], this.state.range[1]] };
  }

  private checkWidth(op: string, n: number): void {
    if (n !== this.features) throw new DataError('DATA_SHAPE', `Scaler.${op}: row has ${n} values; expected ${this.features} (the columns it was fitted on)`, { expected: `${this.features} values`, received: `${n} values` });
  }
}
