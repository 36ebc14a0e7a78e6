import { fail } from './errors';

/** The models the comparison trains: Elman RNN (tanh), LSTM, GRU, IndRNN (direct feedback) and a decoder-only transformer. */
export type ModelKind = 'rnn' | 'lstm' | 'gru' | 'indrnn' | 'transformer';

/** The tasks of the comparison (see each task's file for the exact definition). */
export type TaskName = 'adding' | 'copy' | 'long-context' | 'char-lm' | 'co2';

/** Every model kind, in report order. */
export const MODEL_KINDS: readonly ModelKind[] = ['rnn', 'lstm', 'gru', 'indrnn', 'transformer'];

/** The recurrent model kinds (those with a gradient-flow curve). */
export const RECURRENT_KINDS: readonly ModelKind[] = ['rnn', 'lstm', 'gru', 'indrnn'];

/** Every task, in report order. */
export const TASK_NAMES: readonly TaskName[] = ['adding', 'copy', 'long-context', 'char-lm', 'co2'];

/** Display names of the models. */
export const MODEL_LABELS: Readonly<Record<ModelKind, string>> = {
  rnn: 'RNN (tanh)',
  lstm: 'LSTM',
  gru: 'GRU',
  indrnn: 'IndRNN',
  transformer: 'Transformer',
};

/** Display names of the tasks. */
export const TASK_LABELS: Readonly<Record<TaskName, string>> = {
  adding: 'Adding problem',
  copy: 'Delayed recall (copy)',
  'long-context': 'Long-range context ("the clouds ... are in the sky")',
  'char-lm': 'Character LM (first names)',
  co2: 'CO2 forecast (Mauna Loa)',
};

/** Checks a list of model names; throws UNKNOWN_MODEL naming the bad one. */
export function checkModelKinds(names: readonly string[], where: string): ModelKind[] {
  return names.map((n) => {
    if (!(MODEL_KINDS as readonly string[]).includes(n)) fail('UNKNOWN_MODEL', `${where}: model '${n}' is unknown; expected one of ${MODEL_KINDS.join(', ')}`);
    return n as ModelKind;
  });
}

/** Checks a list of task names; throws UNKNOWN_TASK naming the bad one. */
export function checkTaskNames(names: readonly string[], where: string): TaskName[] {
  return names.map((n) => {
    if (!(TASK_NAMES as readonly string[]).includes(n)) fail('UNKNOWN_TASK', `${where}: task '${n}' is unknown; expected one of ${TASK_NAMES.join(', ')}`);
    return n as TaskName;
  });
}
