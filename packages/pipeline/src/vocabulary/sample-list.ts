import type { LabelledSample, Sample, TokenSample } from '@loopflow/data';
import { ChunkedColumn, GrowingColumn, idColumn, isInt32 } from './chunked';
import { WindowSample, WindowSource } from './window-samples';

/**
 * The samples of a split, as a prepared dataset holds them: an array of samples, or a
 * {@link CompactSamples} that makes each sample when it is read. Read them by `at(i)`,
 * `slice`, `map` or iteration (not by `[i]`).
 */
export interface SampleList<S extends Sample = Sample> extends Iterable<S> {
  readonly length: number;
  at(index: number): S | undefined;
  slice(start?: number, end?: number): S[];
  map<U>(fn: (sample: S, index: number) => U): U[];
}

/** The input length of sample `i` of a list (without making the sample, when the list knows it). */
export function inputLengthAt(samples: SampleList, i: number): number {
  return samples instanceof CompactSamples ? samples.inputLength(i) : (samples.at(i) as Sample).input.length;
}

/**
 * How {@link CompactSamples} holds its samples:
 * - `windows`: series windows of one {@link WindowSource} each, as runs of starts `stride`
 *   apart (a split's windows in order: one run, a few numbers);
 * - `labelled`: token ids (int32) and labels; `tokens`: input and target ids (int32);
 * - `objects`: the samples themselves (any other sample, or a mix).
 */
export type SampleLayout = 'windows' | 'labelled' | 'tokens' | 'objects';

/**
 * A split's samples in a compact layout (issue 16): a window costs nothing beyond its run, a
 * classification sample 4 bytes a token and 8 for its label, instead of a sample object and
 * its arrays. Samples are made again, with new arrays, when read. The layout follows the
 * first sample and becomes `objects` at the first one that does not fit it.
 *
 * @example
 * const train = new CompactSamples();
 * for (const sample of samples) train.push(sample);
 * collate(train.slice(0, 32));
 */
export class CompactSamples implements SampleList {
  private layoutNow: SampleLayout | undefined;
  private count = 0;
  // windows: runs of (source, first start, count), with the samples before each run
  private readonly sources: WindowSource[] = [];
  private readonly runSource = new GrowingColumn((n) => new Int32Array(n));
  private readonly runStart = new GrowingColumn((n) => new Float64Array(n));
  private readonly runEnd = new GrowingColumn((n) => new Float64Array(n)); // samples up to the end of each run
  // labelled / tokens
  private readonly inputs: ChunkedColumn<Int32Array | Uint16Array> = idColumn();
  private readonly inputStarts = new GrowingColumn((n) => new Float64Array(n));
  private readonly targets: ChunkedColumn<Int32Array | Uint16Array> = idColumn();
  private readonly targetStarts = new GrowingColumn((n) => new Float64Array(n));
  private readonly labels = new GrowingColumn((n) => new Float64Array(n));
  // objects
  private objects: Sample[] = [];

  /** The layout the samples are held in (undefined while empty). */
  get layout(): SampleLayout | undefined {
    return this.layoutNow;
  }

  get length(): number {
    return this.count;
  }

  /** Appends a sample (copied in, or kept as it is in the `objects` layout). */
  push(sample: Sample): void {
    this.layoutNow ??= layoutOf(sample);
    if (!this.fits(sample)) this.toObjects();
    if (this.layoutNow === 'windows') this.pushWindow(sample as WindowSample);
    else if (this.layoutNow === 'labelled') {
      pushIds(this.inputs, this.inputStarts, (sample as LabelledSample).input);
      this.labels.push((sample as LabelledSample).label);
    } else if (this.layoutNow === 'tokens') {
      pushIds(this.inputs, this.inputStarts, (sample as TokenSample).input);
      pushIds(this.targets, this.targetStarts, (sample as TokenSample).target);
    } else this.objects.push(sample);
    this.count += 1;
  }

  /** Drops spare capacity (after the last push). */
  trim(): void {
    for (const column of [this.runSource, this.runStart, this.runEnd, this.inputStarts, this.targetStarts, this.labels]) column.trim();
  }

  at(index: number): Sample | undefined {
    const i = index < 0 ? index + this.count : index;
    if (!(i >= 0 && i < this.count) || !Number.isInteger(i)) return undefined;
    switch (this.layoutNow) {
      case 'windows': {
        const run = this.runOf(i);
        const source = this.sources[this.runSource.array[run]];
        const before = run === 0 ? 0 : this.runEnd.array[run - 1];
        return new WindowSample(source, this.runStart.array[run] + (i - before) * source.stride);
      }
      case 'labelled':
        return { kind: 'labelled', input: readIds(this.inputs, this.inputStarts, i), label: this.labels.array[i] };
      case 'tokens':
        return { kind: 'tokens', input: readIds(this.inputs, this.inputStarts, i), target: readIds(this.targets, this.targetStarts, i) };
      default:
        return this.objects[i];
    }
  }

  /** The input length of sample `i`, without making it. */
  inputLength(i: number): number {
    if (this.layoutNow === 'windows') return this.sources[this.runSource.array[this.runOf(i)]].lookBack;
    if (this.layoutNow === 'labelled' || this.layoutNow === 'tokens') return this.inputStarts.array[i + 1] - this.inputStarts.array[i];
    return this.objects[i].input.length;
  }

  slice(start = 0, end = this.count): Sample[] {
    const from = clampIndex(start, this.count);
    const to = clampIndex(end, this.count);
    const out: Sample[] = [];
    for (let i = from; i < to; i++) out.push(this.at(i) as Sample);
    return out;
  }

  map<U>(fn: (sample: Sample, index: number) => U): U[] {
    const out = new Array<U>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = fn(this.at(i) as Sample, i);
    return out;
  }

  *[Symbol.iterator](): Iterator<Sample> {
    for (let i = 0; i < this.count; i++) yield this.at(i) as Sample;
  }

  private pushWindow(sample: WindowSample): void {
    let source = this.sources.indexOf(sample.source);
    if (source < 0) {
      source = this.sources.length;
      this.sources.push(sample.source);
    }
    const runs = this.runEnd.length;
    if (runs > 0) {
      const last = runs - 1;
      const inRun = this.runEnd.array[last] - (last === 0 ? 0 : this.runEnd.array[last - 1]);
      if (this.runSource.array[last] === source && sample.start === this.runStart.array[last] + inRun * sample.source.stride) {
        this.runEnd.array[last] += 1;
        return;
      }
    }
    this.runSource.push(source);
    this.runStart.push(sample.start);
    this.runEnd.push(this.count + 1);
  }

  /** The run holding sample `i` (binary search over the runs' ends). */
  private runOf(i: number): number {
    const ends = this.runEnd.array;
    let lo = 0;
    let hi = this.runEnd.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid] > i) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private fits(sample: Sample): boolean {
    switch (this.layoutNow) {
      case 'windows':
        return sample instanceof WindowSample;
      case 'labelled':
        return sample.kind === 'labelled' && isIdList(sample.input) && typeof sample.label === 'number';
      case 'tokens':
        return sample.kind === 'tokens' && isIdList(sample.input) && isIdList(sample.target);
      default:
        return true;
    }
  }

  private toObjects(): void {
    const held = this.slice();
    this.layoutNow = 'objects';
    this.objects = held;
  }
}

function layoutOf(sample: Sample): SampleLayout {
  if (sample instanceof WindowSample) return 'windows';
  if (sample.kind === 'labelled') return 'labelled';
  return sample.kind === 'tokens' ? 'tokens' : 'objects';
}

function isIdList(values: readonly number[]): boolean {
  return Array.isArray(values) && values.every((v) => typeof v === 'number' && isInt32(v));
}

function pushIds(column: ChunkedColumn<Int32Array | Uint16Array>, starts: GrowingColumn<Float64Array>, ids: readonly number[]): void {
  if (starts.length === 0) starts.push(0);
  for (let t = 0; t < ids.length; t++) column.push(ids[t]);
  starts.push(column.length);
}

function readIds(column: ChunkedColumn<Int32Array | Uint16Array>, starts: GrowingColumn<Float64Array>, i: number): number[] {
  const from = starts.array[i];
  const out = new Array<number>(starts.array[i + 1] - from);
  for (let t = 0; t < out.length; t++) out[t] = column.get(from + t);
  return out;
}

function clampIndex(i: number, n: number): number {
  const k = Math.trunc(i);
  return k < 0 ? Math.max(0, n + k) : Math.min(k, n);
}
