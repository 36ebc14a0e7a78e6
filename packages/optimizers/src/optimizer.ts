import { LoopflowError, Tensor, fmtShape } from '@loopflow/tensor';
import type { DType, FloatArray } from '@loopflow/tensor';
import { ArrayEncoding, EncodedArray, decodeArray, encodeArray } from './state-codec';

/** A hyper-parameter value: every one is JSON-able. */
export type HyperValue = number | boolean | readonly number[];

/** The hyper-parameters every optimizer has. */
export interface BaseHyper {
  /** Learning rate (read and written by schedules through `optimizer.lr`). */
  lr: number;
}

/** The state of one parameter: its step count and named buffers (moments), of the parameter's dtype. */
export interface ParamState {
  /** Updates applied to this parameter (steps where its grad was null do not count). */
  step: number;
  /** Named buffers, each with one element per parameter element; null until first used. */
  buffers: Record<string, FloatArray | null>;
}

/** The saved state of one parameter. */
export interface SavedParamState {
  step: number;
  buffers: Record<string, EncodedArray | null>;
}

/**
 * An optimizer's whole state as JSON-able data: hyper-parameters (including the current lr),
 * each parameter's shape and dtype (checked on load), and each parameter's step count and
 * moments (null for a parameter never updated).
 */
export interface OptimizerStateDict {
  format: 'loopflow.optimizer/1';
  optimizer: string;
  hyper: Record<string, HyperValue>;
  params: { shape: number[]; dtype: DType }[];
  state: (SavedParamState | null)[];
}

/** Throws INVALID_ARGUMENT unless `value` is a finite number >= 0 (or > 0 when `positive`). */
export function checkNonNegative(op: string, name: string, value: unknown, positive = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw new LoopflowError('INVALID_ARGUMENT', `${op}: ${name} = ${JSON.stringify(value)} is invalid; expected a finite number ${positive ? '> 0' : '>= 0'}`);
  }
  return value;
}

/** Throws INVALID_ARGUMENT unless `value` is a boolean. */
export function checkBoolean(op: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new LoopflowError('INVALID_ARGUMENT', `${op}: ${name} = ${JSON.stringify(value)} is invalid; expected true or false`);
  return value;
}

function checkParams(op: string, params: readonly Tensor[]): Tensor[] {
  if (!Array.isArray(params) || params.length === 0) {
    throw new LoopflowError('INVALID_ARGUMENT', `${op}: expected a non-empty array of parameter Tensors; received ${Array.isArray(params) ? 'an empty array' : typeof params}`);
  }
  const seen = new Set<Tensor>();
  params.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new LoopflowError('INVALID_ARGUMENT', `${op}: params[${i}] is not a Tensor`);
    if (seen.has(p)) throw new LoopflowError('INVALID_ARGUMENT', `${op}: params[${i}] appears twice in the list; pass each parameter once`);
    seen.add(p);
  });
  return params.slice();
}

/**
 * The base of every optimizer: it owns the parameter list and one state per parameter, and
 * updates each parameter IN PLACE (`p.data`) from `p.grad`, so modules keep their references.
 * A subclass gives only its hyper-parameter rules, its fresh state and its update loop.
 */
export abstract class Optimizer<H extends BaseHyper = BaseHyper> {
  /** The parameters, in the order given (the order of the state dict). */
  readonly params: readonly Tensor[];
  /** One state per parameter; null until its first update. */
  protected readonly states: (ParamState | null)[];
  protected hyperParams: H;

  protected constructor(readonly name: string, params: readonly Tensor[], hyper: H) {
    this.params = checkParams(name, params);
    this.states = this.params.map(() => null);
    this.hyperParams = hyper;
  }

  /** Validates hyper-parameters given as options (or as saved in a state dict), filling PyTorch's defaults. */
  protected abstract resolve(options: Partial<H>): H;
  /** A fresh state for a parameter (zero moments, step 0). */
  protected abstract initState(param: Tensor): ParamState;
  /** Applies one update to `param` from `grad`; `state.step` has already been incremented. */
  protected abstract update(param: FloatArray, grad: FloatArray, state: ParamState): void;

  /** The learning rate. Setting it (a schedule does) takes effect at the next `step()`. */
  get lr(): number {
    return this.hyperParams.lr;
  }
  set lr(value: number) {
    this.hyperParams.lr = checkNonNegative(this.name, 'lr', value);
  }

  /** A copy of the hyper-parameters. */
  get hyper(): Readonly<H> {
    return { ...this.hyperParams };
  }

  /**
   * Updates every parameter that has a gradient (one whose `grad` is null is skipped, as in
   * PyTorch), in place.
   */
  step(): void {
    const params = this.params;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const g = p.grad;
      if (g === null) continue;
      if (g.size !== p.size) {
        throw new LoopflowError('SHAPE_MISMATCH', `${this.name}.step: params[${i}] has shape ${fmtShape(p.shape)} but its grad has shape ${fmtShape(g.shape)}; expected equal sizes`);
      }
      let state = this.states[i];
      if (state === null) state = this.states[i] = this.initState(p);
      state.step += 1;
      this.update(p.data, g.data, state);
    }
  }

  /**
   * Clears the gradients: sets each `grad` to null (PyTorch's default, and cheaper), or with
   * `setToNone: false` fills them with zeros.
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    for (const p of this.params) {
      if (options.setToNone === false) p.grad?.data.fill(0);
      else p.grad = null;
    }
  }

  /** The state of parameter `index` (step count and moments), or null before its first update. */
  paramState(index: number): Readonly<ParamState> | null {
    return this.states[index] ?? null;
  }

  /**
   * Everything needed to resume bit-identically, as JSON-able data. Moments are encoded
   * exactly (base64 of the bytes by default, or plain arrays with `encoding: 'array'`).
   */
  stateDict(options: { encoding?: ArrayEncoding } = {}): OptimizerStateDict {
    const hyper: Record<string, HyperValue> = {};
    for (const [k, v] of Object.entries(this.hyperParams)) hyper[k] = Array.isArray(v) ? v.slice() : (v as HyperValue);
    return {
      format: 'loopflow.optimizer/1',
      optimizer: this.name,
      hyper,
      params: this.params.map((p) => ({ shape: p.shape.slice(), dtype: p.dtype })),
      state: this.states.map((s) => {
        if (s === null) return null;
        const buffers: Record<string, EncodedArray | null> = {};
        for (const [k, v] of Object.entries(s.buffers)) buffers[k] = v === null ? null : encodeArray(v, options.encoding);
        return { step: s.step, buffers };
      }),
    };
  }

  /**
   * Restores a state saved by `stateDict` (of the same optimizer kind, over parameters of the
   * same shapes): hyper-parameters including lr, step counts and moments. Moments are converted
   * to each parameter's dtype.
   */
  loadStateDict(saved: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    if (typeof saved !== 'object' || saved === null || !Array.isArray(saved.state) || typeof saved.hyper !== 'object') {
      throw new LoopflowError('STATE_INVALID', `${where}: expected an object from stateDict() with optimizer, hyper, params and state`);
    }
    if (saved.optimizer !== this.name) {
      throw new LoopflowError('STATE_MISMATCH', `${where}: the state was saved from a '${saved.optimizer}' optimizer; this one is '${this.name}'`);
    }
    if (saved.state.length !== this.params.length) {
      throw new LoopflowError('STATE_MISMATCH', `${where}: the state holds ${saved.state.length} parameters but this optimizer has ${this.params.length}; build the optimizer over the same parameter list`);
    }
    const hyper = this.resolve(saved.hyper as Partial<H>);
    const states = saved.state.map((s, i): ParamState | null => {
      if (s === null) return null;
      const p = this.params[i];
      const savedShape = saved.params?.[i]?.shape;
      if (savedShape && fmtShape(savedShape) !== fmtShape(p.shape)) {
        throw new LoopflowError('STATE_MISMATCH', `${where}: params[${i}] was saved with shape ${fmtShape(savedShape)} but has shape ${fmtShape(p.shape)}`);
      }
      if (typeof s.step !== 'number' || !Number.isInteger(s.step) || s.step < 0) {
        throw new LoopflowError('STATE_INVALID', `${where}: state[${i}].step = ${JSON.stringify(s.step)}; expected a whole number >= 0`);
      }
      const buffers: Record<string, FloatArray | null> = {};
      for (const [k, v] of Object.entries(s.buffers ?? {})) {
        buffers[k] = v === null ? null : decodeArray(v, p.dtype, p.size, `${where}: state[${i}].buffers.${k}`);
      }
      return { step: s.step, buffers };
    });
    this.hyperParams = hyper;
    states.forEach((s, i) => (this.states[i] = s));
  }
}
