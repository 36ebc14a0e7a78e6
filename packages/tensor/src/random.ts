import seedrandom from 'seedrandom';
import { LoopflowError } from './errors';

/** The saved position of a `Random` generator (JSON-able), for resuming a run exactly. */
export interface RandomState {
  readonly seed: string;
  readonly alea: { c: number; s0: number; s1: number; s2: number };
  readonly spare: number | null;
}

/**
 * A seeded pseudo-random generator (Alea, from the `seedrandom` package): the same seed
 * gives the same sequence on every machine. Its state can be saved and restored.
 *
 * @example
 * const rng = new Random(42);
 * rng.uniform(-1, 1); rng.normal(); rng.int(10);
 */
export class Random {
  readonly seed: string;
  private prng: seedrandom.PRNG;
  private spare: number | null = null;

  constructor(seed: number | string = 0, state?: RandomState) {
    if (typeof seed === 'number' && !Number.isFinite(seed)) {
      throw new LoopflowError('INVALID_ARGUMENT', `Random: seed ${seed} is not a finite number`);
    }
    this.seed = String(seed);
    this.prng = seedrandom.alea(this.seed, state ? { state: { ...state.alea } } : { state: true }) as seedrandom.PRNG;
    if (state) this.spare = state.spare;
  }

  /** A generator restored at a saved position. */
  static fromState(state: RandomState): Random {
    return new Random(state.seed, state);
  }

  /** The current position (continue later with `Random.fromState`). */
  state(): RandomState {
    return { seed: this.seed, alea: (this.prng as unknown as { state(): RandomState['alea'] }).state(), spare: this.spare };
  }

  /** A uniform number in [0, 1) with 53 random bits. */
  next(): number {
    return this.prng.double();
  }

  /** A uniform number in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.prng.double();
  }

  /** A normal number (Box-Muller, using both values of each pair). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.prng.double();
    const v = this.prng.double();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new LoopflowError('INVALID_ARGUMENT', `Random.int: n = ${n}; expected a positive integer`);
    return Math.floor(this.prng.double() * n);
  }

  /** Shuffles an array in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A new generator whose seed is derived from this one (for independent streams). */
  fork(label = ''): Random {
    return new Random(`${this.seed}/${label}/${this.prng.int32()}`);
  }
}
