import { DType, Tensor, fmtShape, zeros } from '@loopflow/tensor';
import { directionsOf } from './config';
import { CellError } from './errors';
import { RecurrentModule, moduleCell } from './module';

/**
 * The state of a recurrent stack in PyTorch's layout: `h` `[L*D, B, H]` (row `layer*D + dir`),
 * and `c` `[L*D, B, H]` for an LSTM. `runRecurrent` takes one as `initialState` and returns
 * the final one in the same layout, so calls chain.
 */
export interface RecurrentState {
  h: Tensor;
  c?: Tensor;
}

/**
 * A zero state for `batchSize` sequences (PyTorch's default when no state is passed).
 *
 * @example const s = initialState(lstm, 32); // { h: [L*D, 32, H], c: [L*D, 32, H] }
 */
export function initialState(module: RecurrentModule, batchSize: number, dtype: DType = 'float32'): RecurrentState {
  const shape = [module.config.numLayers * directionsOf(module.config), batchSize, module.config.hiddenSize];
  const [h, c] = moduleCell(module).stateParts.map(() => zeros(shape, { dtype })); // h, and c (LSTM)
  return c ? { h, c } : { h };
}

/**
 * The same state with no gradient history (shares storage): carry it into the next call
 * so backward stops at the call boundary (truncated BPTT, stateful training).
 *
 * @example state = detachState(runRecurrent(lstm, chunk, { initialState: state }).state);
 */
export function detachState(state: RecurrentState): RecurrentState {
  return state.c ? { h: state.h.detach(), c: state.c.detach() } : { h: state.h.detach() };
}

/** Checks an initial state against a module and batch size; throws `STATE_SHAPE`. */
export function checkState(module: RecurrentModule, state: RecurrentState, batchSize: number, dtype: DType): void {
  const expected = [module.config.numLayers * directionsOf(module.config), batchSize, module.config.hiddenSize];
  const check = (name: string, t: Tensor | undefined): void => {
    if (!(t instanceof Tensor)) {
      throw new CellError('STATE_SHAPE', `${module.kind}: ${name} is ${t === undefined ? 'missing' : typeof t}, expected a tensor of shape ${fmtShape(expected)}; pass a state from this layer's initialState()`);
    }
    if (t.shape.length !== 3 || t.shape.some((d, i) => d !== expected[i])) {
      throw new CellError('STATE_SHAPE', `${module.kind}: ${name} has shape ${fmtShape(t.shape)}, expected ${fmtShape(expected)} (layers*directions ${expected[0]}, batch ${batchSize}, hiddenSize ${expected[2]}); pass a state from this layer's initialState()`);
    }
    if (t.dtype !== dtype) {
      throw new CellError('STATE_SHAPE', `${module.kind}: ${name} is ${t.dtype} but the parameters are ${dtype}; convert it with .to('${dtype}')`);
    }
  };
  for (const part of moduleCell(module).stateParts) check(`${part}0`, state[part]);
}
