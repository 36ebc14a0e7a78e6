import { Tensor, fmtShape, sameShape } from '@loopflow/tensor';
import { fail } from './errors';
import { namedParameters, walkTensors } from './parameters';

/** Options of `stateDict` and `loadStateDict`. */
export interface StateDictOptions {
  /**
   * Also include tensors that do not require grad (frozen weights, buffers). Default false:
   * the state dict holds exactly `namedParameters`, so tensors a model merely carries (a
   * stateful RNN's last hidden state, say) are not saved.
   */
  includeFrozen?: boolean;
}

/** Options of `loadStateDict`. */
export interface LoadStateDictOptions extends StateDictOptions {
  /** Throw `STATE_DICT_KEYS` when keys are missing or unexpected (default true). */
  strict?: boolean;
}

/** What `loadStateDict` did not match. */
export interface LoadStateDictResult {
  /** Parameters of the module for which the dict had no entry (left unchanged). */
  missing: string[];
  /** Entries of the dict that name no tensor of the module (ignored). */
  unexpected: string[];
}

/**
 * The module's parameters by name (see `namedParameters`), sharing storage with the module:
 * what `encodeSafetensors` writes and `loadStateDict` reads back.
 *
 * @example saveSafetensors('model.safetensors', stateDict(model));
 */
export function stateDict(module: unknown, options: StateDictOptions = {}): Record<string, Tensor> {
  const dict: Record<string, Tensor> = {};
  if (options.includeFrozen) {
    walkTensors(module, '', ({ name, tensor, duplicate }) => {
      if (!duplicate) dict[name] = tensor;
    });
  } else {
    for (const [name, t] of namedParameters(module)) dict[name] = t;
  }
  return dict;
}

function summarise(keys: string[]): string {
  const shown = keys.slice(0, 10).map((k) => `'${k}'`).join(', ');
  return keys.length > 10 ? `${shown} and ${keys.length - 10} more` : shown;
}

/**
 * Copies the values of `dict` into the module's existing tensors, in place (so an optimizer
 * holding those tensors keeps working; dtypes convert, e.g. float64 values into a float32
 * parameter). Every name and shape is checked before anything is copied, so a failed load
 * changes nothing.
 *
 * Expected keys are the module's parameters (plus frozen tensors with `includeFrozen`); a key
 * naming a frozen tensor or a second name of a tied tensor is also accepted, not unexpected.
 *
 * Errors: a shape that differs -> `STATE_DICT_SHAPE` naming the key and both shapes;
 * with `strict` (default) any missing or unexpected key -> `STATE_DICT_KEYS` listing them.
 *
 * @example
 * const { tensors } = loadSafetensors('model.safetensors');
 * loadStateDict(model, tensors);
 */
export function loadStateDict(module: unknown, dict: Record<string, Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
  const strict = options.strict ?? true;
  const targets = new Map<string, Tensor>();
  const expected: string[] = [];
  walkTensors(module, '', ({ name, tensor, duplicate }) => {
    if (targets.has(name)) return;
    targets.set(name, tensor);
    if (!duplicate && (tensor.requiresGrad || options.includeFrozen)) expected.push(name);
  });

  const missing = expected.filter((name) => !Object.prototype.hasOwnProperty.call(dict, name));
  const unexpected = Object.keys(dict).filter((name) => !targets.has(name));
  const copies: [Tensor, Tensor][] = [];
  for (const name of Object.keys(dict)) {
    const target = targets.get(name);
    if (!target) continue;
    const source = dict[name];
    if (!(source instanceof Tensor)) {
      fail('STATE_DICT_SHAPE', `loadStateDict: entry '${name}' is not a Tensor (got ${source === null ? 'null' : typeof source}); expected a tensor of shape ${fmtShape(target.shape)}`);
    }
    if (!sameShape(source.shape, target.shape)) {
      fail('STATE_DICT_SHAPE', `loadStateDict: '${name}' has shape ${fmtShape(source.shape)} in the state dict but ${fmtShape(target.shape)} in the module; check that the model was built with the same sizes as the saved one`);
    }
    copies.push([target, source]);
  }
  if (strict && (missing.length > 0 || unexpected.length > 0)) {
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`missing ${missing.length} key(s): ${summarise(missing)}`);
    if (unexpected.length > 0) parts.push(`unexpected ${unexpected.length} key(s): ${summarise(unexpected)}`);
    fail('STATE_DICT_KEYS', `loadStateDict: the state dict does not match the module: ${parts.join('; ')}; check the names (e.g. a prefix such as 'model.'), or pass { strict: false } to load what matches`);
  }
  for (const [target, source] of copies) {
    if (target.data !== source.data) target.data.set(source.data);
  }
  return { missing, unexpected };
}
