import { Random, Tensor } from '@loopflow/tensor';
import type { RandomState } from '@loopflow/tensor';
import { TrainError } from './errors';

/** A generator found in a model, under the dotted path where the walk first met it. */
export interface ModelGenerator {
  path: string;
  rng: Random;
}

function isOpaque(value: object): boolean {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Map || value instanceof Set || value instanceof Date || value instanceof RegExp || value instanceof Promise;
}

/**
 * Every `Random` reachable from the model (a Dropout module's `rng`, say), in walk order
 * (own enumerable properties and arrays, as `namedParameters` walks, but entering the keys
 * 'rng' and 'config' too), each once. These are the model's part of "every RNG state" that a
 * checkpoint saves.
 *
 * @example findGenerators({ drop: createDropout(0.1, 7) }) // [{ path: 'drop.rng', rng }]
 */
export function findGenerators(model: unknown): ModelGenerator[] {
  const out: ModelGenerator[] = [];
  const seen = new Set<object>();
  const walk = (value: unknown, path: string): void => {
    if (value === null || typeof value !== 'object' || value instanceof Tensor || isOpaque(value)) return;
    if (seen.has(value)) return;
    seen.add(value);
    if (value instanceof Random) {
      out.push({ path, rng: value });
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, path === '' ? String(i) : `${path}.${i}`));
      return;
    }
    for (const key of Object.keys(value)) {
      const desc = Object.getOwnPropertyDescriptor(value, key);
      if (desc && 'value' in desc) walk(desc.value, path === '' ? key : `${path}.${key}`);
    }
  };
  walk(model, '');
  return out;
}

function sameState(a: RandomState, b: RandomState): boolean {
  return a.seed === b.seed && a.spare === b.spare && a.alea.c === b.alea.c && a.alea.s0 === b.alea.s0 && a.alea.s1 === b.alea.s1 && a.alea.s2 === b.alea.s2;
}

/**
 * Puts a generator back at a saved position IN PLACE, so every holder of it (the model, a
 * closure of the forward function) continues from there.
 */
export function restoreGenerator(rng: Random, state: RandomState, where: string): void {
  let restored: Random;
  try {
    restored = Random.fromState(state);
  } catch (e) {
    throw new TrainError('CHECKPOINT_INVALID', `${where}: the saved generator state cannot be restored (${e instanceof Error ? e.message : String(e)}); the checkpoint is damaged`);
  }
  Object.assign(rng, restored);
  if (!sameState(rng.state(), state)) {
    throw new TrainError('CHECKPOINT_INVALID', `${where}: the generator did not take the saved state (is it a loopflow Random?)`);
  }
}

/** Checks that a value read from JSON is a generator state. */
export function isRandomState(value: unknown): value is RandomState {
  const v = value as RandomState;
  return (
    typeof v === 'object' && v !== null && typeof v.seed === 'string' && (v.spare === null || typeof v.spare === 'number') &&
    typeof v.alea === 'object' && v.alea !== null && ['c', 's0', 's1', 's2'].every((k) => typeof (v.alea as Record<string, unknown>)[k] === 'number')
  );
}
