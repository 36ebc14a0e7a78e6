export * from './errors';
export {
  CELL_KINDS, RECURRENT_KINDS, cellGates, cellKindOf, cellParameterShapes, familyDefault, gateCount, hasCellState, isDiagonal,
} from './kinds';
export type { CellKind, CellKindSpec, FusedCell, Nonlinearity, ParameterBase, RecurrentKind, StatePart } from './kinds';
export * from './config';
export * from './module';
export * from './create';
export * from './indrnn';
export * from './cells/operands';
export * from './cells/step';
export * from './layer-direction';
export * from './layer-runner';
export type { StackStream, StackStreamArgs } from './stack-stream';
export * from './state';
export * from './lengths';
export * from './run';
export * from './streamer';
export * from './tbptt';
export * from './gradient-flow';
export * from './feedback';
export * from './fused';
