import { fail } from '../errors';
import { addingTask } from './adding';
import { charLmTask } from './char-lm';
import { co2Task } from './co2';
import { copyTask } from './copy';
import { longContextTask } from './long-context';
import type { EvaluationSizes, TaskInstance } from './task';

/**
 * A task at one setting as plain JSON (what a benchmark job carries to its worker process):
 * `createTask(spec)` builds the same {@link TaskInstance} from it anywhere.
 */
export type TaskSpec = EvaluationSizes &
  (
    | { task: 'adding'; length: number }
    | { task: 'copy'; delay: number; symbols: number; alphabet: number }
    | { task: 'long-context'; distances: number[] }
    | { task: 'char-lm' }
    | { task: 'co2'; lookBack: number }
  );

const cache = new Map<string, TaskInstance>();

/**
 * Builds (once per process; instances are deterministic) the task a spec describes.
 *
 * @example createTask({ task: 'adding', length: 100, validationSize: 500, testSize: 1000 }).id // 'adding/T=100'
 */
export function createTask(spec: TaskSpec): TaskInstance {
  const key = JSON.stringify(spec);
  const hit = cache.get(key);
  if (hit) return hit;
  const sizes: EvaluationSizes = { validationSize: spec.validationSize, testSize: spec.testSize };
  if (!(sizes.validationSize >= 1 && sizes.testSize >= 1)) fail('INVALID_ARGUMENT', `createTask: validationSize ${sizes.validationSize}, testSize ${sizes.testSize}; expected both >= 1`);
  let task: TaskInstance;
  switch (spec.task) {
    case 'adding': task = addingTask(spec.length, sizes); break;
    case 'copy': task = copyTask(spec.delay, { symbols: spec.symbols, alphabet: spec.alphabet }, sizes); break;
    case 'long-context': task = longContextTask(spec.distances, sizes); break;
    case 'char-lm': task = charLmTask(sizes); break;
    case 'co2': task = co2Task(spec.lookBack, sizes); break;
    default: fail('UNKNOWN_TASK', `createTask: task ${JSON.stringify((spec as { task: unknown }).task)} is unknown; expected adding, copy, long-context, char-lm or co2`);
  }
  cache.set(key, task);
  return task;
}
