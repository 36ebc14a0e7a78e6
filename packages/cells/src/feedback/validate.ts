import { FEEDBACK_CELLS, FEEDBACK_KINDS, FeedbackCell, FeedbackDefinition, FeedbackEdge, FeedbackLayerDefinition, feedbackCellRow } from './definition';
import { FeedbackDefinitionError, FeedbackIssue } from './errors';

const ROOT_KEYS = ['inputSize', 'layers', 'feedback'];
const LAYER_KEYS = ['name', 'size', 'cell'];
const EDGE_KEYS: Record<FeedbackEdge['kind'], string[]> = {
  direct: ['kind', 'layer'],
  lateral: ['kind', 'layer'],
  indirect: ['kind', 'from', 'to'],
  complete: ['kind'],
};
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

const show = (value: unknown): string => (value === undefined ? 'missing' : JSON.stringify(value));
const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isPositiveInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 1;
/** Whether a layer's cell has a diagonal recurrence by definition (IndRNN); false for names that are not cells. */
function isDiagonalCell(cell: string): boolean {
  return (FEEDBACK_CELLS as readonly string[]).includes(cell) && (feedbackCellRow(cell as FeedbackCell)?.diagonal ?? false);
}

function unknownKeys(issues: FeedbackIssue[], path: string, value: Record<string, unknown>, allowed: string[], what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      issues.push({ path: `${path}${path ? '.' : ''}${key}`, message: `unknown key; ${what} takes ${allowed.join(', ')}` });
    }
  }
}

function checkLayers(issues: FeedbackIssue[], layers: unknown): FeedbackLayerDefinition[] {
  if (!Array.isArray(layers) || layers.length === 0) {
    issues.push({ path: 'layers', message: `is ${Array.isArray(layers) ? 'empty' : show(layers)}; expected a non-empty array of { "name", "size", "cell" }` });
    return [];
  }
  const firstAt = new Map<string, number>();
  const out: FeedbackLayerDefinition[] = [];
  layers.forEach((layer, i) => {
    const path = `layers[${i}]`;
    if (!isObject(layer)) {
      issues.push({ path, message: `is ${show(layer)}; expected an object like { "name": "h1", "size": 16, "cell": "rnn_tanh" }` });
      return;
    }
    unknownKeys(issues, path, layer, LAYER_KEYS, 'a layer');
    const { name, size, cell } = layer;
    if (typeof name !== 'string' || !NAME.test(name) || name.includes('_to_')) {
      issues.push({ path: `${path}.name`, message: `is ${show(name)}; expected a letter then letters, digits or '_' (without '_to_', which parameter names use)` });
    } else if (name === 'config' || name === 'rng' || name in Object.prototype) {
      issues.push({ path: `${path}.name`, message: `'${name}' is reserved (the parameter walker skips 'config' and 'rng'; the others are properties of every object); choose another name` });
    } else if (firstAt.has(name)) {
      issues.push({ path: `${path}.name`, message: `'${name}' is already the name of layers[${firstAt.get(name)}]; names must be unique` });
    } else {
      firstAt.set(name, i);
    }
    if (!isPositiveInteger(size)) issues.push({ path: `${path}.size`, message: `is ${show(size)}; expected a positive integer (the number of neurons)` });
    if (typeof cell !== 'string' || !(FEEDBACK_CELLS as readonly string[]).includes(cell)) {
      issues.push({ path: `${path}.cell`, message: `is ${show(cell)}; expected one of ${FEEDBACK_CELLS.join(', ')}` });
    }
    out.push({ name, size, cell } as FeedbackLayerDefinition);
  });
  return out;
}

function checkEdges(issues: FeedbackIssue[], feedback: unknown, layers: FeedbackLayerDefinition[]): FeedbackEdge[] | 'complete' {
  if (feedback === undefined) return [];
  if (feedback === 'complete') {
    checkComplete(issues, 'feedback', layers);
    return 'complete';
  }
  if (!Array.isArray(feedback)) {
    issues.push({ path: 'feedback', message: `is ${show(feedback)}; expected "complete" or an array of edges like { "kind": "lateral", "layer": "h1" }` });
    return [];
  }
  const byName = new Map(layers.map((l) => [l.name, l]));
  const names = layers.map((l) => l.name).join(', ');
  const known = (path: string, value: unknown): value is string => {
    if (typeof value === 'string' && byName.has(value)) return true;
    issues.push({ path, message: typeof value === 'string' ? `unknown layer '${value}'; layers are ${names}` : `is ${show(value)}; expected the name of a layer (${names})` });
    return false;
  };
  const selfEdgeAt = new Map<string, number>(); // layer -> index of its lateral / direct edge
  const pairAt = new Map<string, number>(); // 'from>to' -> index of its indirect edge
  let completeAt = -1;
  const out: FeedbackEdge[] = [];
  feedback.forEach((edge, i) => {
    const path = `feedback[${i}]`;
    if (!isObject(edge)) {
      issues.push({ path, message: `is ${show(edge)}; expected an object like { "kind": "lateral", "layer": "h1" }` });
      return;
    }
    const kind = edge.kind as FeedbackEdge['kind'];
    if (!FEEDBACK_KINDS.includes(kind)) {
      issues.push({ path: `${path}.kind`, message: `is ${show(edge.kind)}; expected one of ${FEEDBACK_KINDS.join(', ')}` });
      return;
    }
    unknownKeys(issues, path, edge, EDGE_KEYS[kind], `a ${kind} edge`);
    if (kind !== 'complete' && completeAt >= 0) {
      issues.push({ path, message: `complete feedback (feedback[${completeAt}]) already connects every pair of layers; remove this edge` });
    }
    if (kind === 'complete') {
      if (completeAt >= 0 || out.length > 0) {
        issues.push({ path, message: 'complete feedback connects every pair of layers and cannot be combined with other edges; use it alone' });
      }
      completeAt = i;
      checkComplete(issues, path, layers);
      out.push({ kind });
    } else if (kind === 'direct' || kind === 'lateral') {
      const layer = edge.layer;
      if (known(`${path}.layer`, layer)) {
        const cell = (byName.get(layer) as FeedbackLayerDefinition).cell;
        if (selfEdgeAt.has(layer)) {
          const j = selfEdgeAt.get(layer) as number;
          issues.push({ path, message: `layer '${layer}' already has a ${(feedback[j] as FeedbackEdge).kind} self edge (feedback[${j}]); a layer has one self recurrence: lateral (full matrix) or direct (diagonal)` });
        } else if (kind === 'lateral' && isDiagonalCell(cell)) {
          issues.push({ path, message: `layer '${layer}' is an ${cell}, whose recurrence is diagonal by definition; use cell rnn_relu (or rnn_tanh) for a full lateral matrix, or remove this edge` });
        }
        selfEdgeAt.set(layer, i);
      }
      out.push({ kind, layer } as FeedbackEdge);
    } else {
      const fromOk = known(`${path}.from`, edge.from);
      const toOk = known(`${path}.to`, edge.to);
      if (fromOk && toOk) {
        const pair = `${edge.from}>${edge.to}`;
        if (edge.from === edge.to) {
          issues.push({ path, message: `indirect edge from '${edge.from}' to itself; use { "kind": "lateral", "layer": "${edge.from}" } (full matrix) or { "kind": "direct", "layer": "${edge.from}" } (diagonal)` });
        } else if (pairAt.has(pair)) {
          issues.push({ path, message: `the edge ${edge.from} -> ${edge.to} is already declared at feedback[${pairAt.get(pair)}]` });
        }
        pairAt.set(pair, i);
      }
      out.push({ kind, from: edge.from, to: edge.to } as FeedbackEdge);
    }
  });
  return out;
}

function checkComplete(issues: FeedbackIssue[], path: string, layers: FeedbackLayerDefinition[]): void {
  for (const l of layers) {
    if (typeof l.cell === 'string' && isDiagonalCell(l.cell)) {
      issues.push({ path, message: `complete feedback gives layer '${l.name}' a full self matrix, but it is an ${l.cell} (diagonal by definition); use cell rnn_relu or rnn_tanh` });
    }
  }
}

/**
 * Checks a feedback definition and returns a normalized copy (only the known keys, `feedback`
 * filled with `[]` when absent). Throws a {@link FeedbackDefinitionError} (code
 * `INVALID_CONFIG`) listing every problem with its path, e.g.
 * `feedback[1].from: unknown layer 'h3'; layers are h1, h2, out`.
 *
 * Rules: `inputSize` and each layer's `size` are positive integers; layer names are unique
 * identifiers; a layer has at most one self edge (`lateral` or `direct`); an `indrnn` layer is
 * diagonal by definition (no `lateral`, no `complete`); an `indirect` edge joins two different
 * layers, once; `complete` stands alone.
 *
 * @example
 * validateFeedbackDefinition({ inputSize: 2, layers: [{ name: 'h', size: 8, cell: 'gru' }], feedback: 'complete' });
 */
export function validateFeedbackDefinition(definition: unknown): FeedbackDefinition {
  const issues: FeedbackIssue[] = [];
  if (!isObject(definition)) {
    throw new FeedbackDefinitionError([{ path: '', message: `expected an object { "inputSize", "layers", "feedback" }, received ${show(definition)}` }]);
  }
  unknownKeys(issues, '', definition, ROOT_KEYS, 'a feedback network');
  if (!isPositiveInteger(definition.inputSize)) {
    issues.push({ path: 'inputSize', message: `is ${show(definition.inputSize)}; expected a positive integer (features of each input step)` });
  }
  const layers = checkLayers(issues, definition.layers);
  const feedback = checkEdges(issues, definition.feedback, layers);
  if (issues.length > 0) throw new FeedbackDefinitionError(issues);
  return { inputSize: definition.inputSize as number, layers, feedback };
}
