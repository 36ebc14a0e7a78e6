import { Random } from '@loopflow/tensor';
import { namedParameters } from '@loopflow/layers';
import {
  FeedbackDefinition, FeedbackDefinitionError, createFeedbackNetwork, parseFeedbackDefinition, planFeedback,
  stringifyFeedbackDefinition, validateFeedbackDefinition,
} from './index';

const layers = [
  { name: 'h1', size: 16, cell: 'rnn_tanh' },
  { name: 'h2', size: 8, cell: 'lstm' },
  { name: 'out', size: 2, cell: 'linear' },
];
const example = {
  inputSize: 3,
  layers,
  feedback: [{ kind: 'indirect', from: 'out', to: 'h1' }, { kind: 'direct', layer: 'h2' }],
};

/** The issues a definition raises, as `path: message` lines (fails the test when it is valid). */
function issues(definition: unknown): string[] {
  try {
    validateFeedbackDefinition(definition);
  } catch (e) {
    expect(e).toBeInstanceOf(FeedbackDefinitionError);
    expect((e as FeedbackDefinitionError).code).toBe('INVALID_CONFIG');
    return (e as FeedbackDefinitionError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected the definition to be rejected');
}

describe('feedback definition: validation', () => {
  it('accepts the example and fills in feedback', () => {
    expect(validateFeedbackDefinition(example)).toEqual(example);
    expect(validateFeedbackDefinition({ inputSize: 3, layers }).feedback).toEqual([]);
    expect(validateFeedbackDefinition({ inputSize: 3, layers, feedback: 'complete' }).feedback).toBe('complete');
  });

  it('names the path of an unknown layer and lists the layers', () => {
    const bad = { ...example, feedback: [example.feedback[0], { kind: 'indirect', from: 'h3', to: 'h1' }] };
    expect(issues(bad)).toEqual(["feedback[1].from: unknown layer 'h3'; layers are h1, h2, out"]);
    expect(() => validateFeedbackDefinition(bad)).toThrow("feedback network definition: feedback[1].from: unknown layer 'h3'; layers are h1, h2, out");
    expect(issues({ ...example, feedback: [{ kind: 'lateral', layer: 'hidden' }] })).toEqual(["feedback[0].layer: unknown layer 'hidden'; layers are h1, h2, out"]);
  });

  it('checks the top level', () => {
    expect(issues(null)).toEqual([': expected an object { "inputSize", "layers", "feedback" }, received null']);
    expect(issues({ layers, feedbacks: [] })).toEqual([
      'feedbacks: unknown key; a feedback network takes inputSize, layers, feedback',
      'inputSize: is missing; expected a positive integer (features of each input step)',
    ]);
    expect(issues({ inputSize: 2.5, layers: [] })).toEqual([
      'inputSize: is 2.5; expected a positive integer (features of each input step)',
      'layers: is empty; expected a non-empty array of { "name", "size", "cell" }',
    ]);
    expect(issues({ inputSize: 2, layers, feedback: 'full' })).toEqual([
      'feedback: is "full"; expected "complete" or an array of edges like { "kind": "lateral", "layer": "h1" }',
    ]);
  });

  it('checks each layer: name, size, cell, unknown keys, duplicates', () => {
    const bad = {
      inputSize: 2,
      layers: [
        { name: 'h1', size: 4, cell: 'LSTM' },
        { name: 'h1', size: 0, cell: 'gru' },
        { name: 'a.b', size: 3, cell: 'gru', units: 3 },
        { name: 'in_to_out', size: 3, cell: 'gru' },
        7,
        { name: 'rng', size: 3, cell: 'gru' },
        { name: 'constructor', size: 3, cell: 'gru' },
      ],
    };
    expect(issues(bad)).toEqual([
      "layers[0].cell: is \"LSTM\"; expected one of rnn_tanh, rnn_relu, lstm, gru, indrnn, indrnn_relu, indrnn_tanh, linear",
      "layers[1].name: 'h1' is already the name of layers[0]; names must be unique",
      'layers[1].size: is 0; expected a positive integer (the number of neurons)',
      'layers[2].units: unknown key; a layer takes name, size, cell',
      "layers[2].name: is \"a.b\"; expected a letter then letters, digits or '_' (without '_to_', which parameter names use)",
      "layers[3].name: is \"in_to_out\"; expected a letter then letters, digits or '_' (without '_to_', which parameter names use)",
      'layers[4]: is 7; expected an object like { "name": "h1", "size": 16, "cell": "rnn_tanh" }',
      "layers[5].name: 'rng' is reserved (the parameter walker skips 'config' and 'rng'; the others are properties of every object); choose another name",
      "layers[6].name: 'constructor' is reserved (the parameter walker skips 'config' and 'rng'; the others are properties of every object); choose another name",
    ]);
  });

  it('checks each edge: kind, keys, self edges, pairs, indrnn, complete', () => {
    const indrnnLayers = [...layers, { name: 'ind', size: 4, cell: 'indrnn' }];
    expect(issues({ inputSize: 3, layers: indrnnLayers, feedback: [
      { kind: 'feedback', layer: 'h1' },
      { kind: 'direct', from: 'h1', to: 'h2' },
      { kind: 'lateral', layer: 'h1' },
      { kind: 'direct', layer: 'h1' },
      { kind: 'indirect', from: 'out', to: 'out' },
      { kind: 'indirect', from: 'out', to: 'h1' },
      { kind: 'indirect', from: 'out', to: 'h1' },
      { kind: 'lateral', layer: 'ind' },
      'lateral',
    ] })).toEqual([
      'feedback[0].kind: is "feedback"; expected one of direct, indirect, lateral, complete',
      'feedback[1].from: unknown key; a direct edge takes kind, layer',
      'feedback[1].to: unknown key; a direct edge takes kind, layer',
      'feedback[1].layer: is missing; expected the name of a layer (h1, h2, out, ind)',
      "feedback[3]: layer 'h1' already has a lateral self edge (feedback[2]); a layer has one self recurrence: lateral (full matrix) or direct (diagonal)",
      "feedback[4]: indirect edge from 'out' to itself; use { \"kind\": \"lateral\", \"layer\": \"out\" } (full matrix) or { \"kind\": \"direct\", \"layer\": \"out\" } (diagonal)",
      'feedback[6]: the edge out -> h1 is already declared at feedback[5]',
      "feedback[7]: layer 'ind' is an indrnn, whose recurrence is diagonal by definition; use cell rnn_relu (or rnn_tanh) for a full lateral matrix, or remove this edge",
      'feedback[8]: is "lateral"; expected an object like { "kind": "lateral", "layer": "h1" }',
    ]);
    expect(issues({ inputSize: 3, layers, feedback: [{ kind: 'complete' }, { kind: 'direct', layer: 'h1' }] })).toEqual([
      'feedback[1]: complete feedback (feedback[0]) already connects every pair of layers; remove this edge',
    ]);
    expect(issues({ inputSize: 3, layers: indrnnLayers, feedback: 'complete' })).toEqual([
      "feedback: complete feedback gives layer 'ind' a full self matrix, but it is an indrnn (diagonal by definition); use cell rnn_relu or rnn_tanh",
    ]);
    // an explicit direct edge on an indrnn layer restates its cell: allowed
    expect(planFeedback({ inputSize: 3, layers: indrnnLayers as FeedbackDefinition['layers'], feedback: [{ kind: 'direct', layer: 'ind' }] }).layers[3].self).toBe('diagonal');
  });

  it('reports several problems in one message, one per line', () => {
    expect(() => validateFeedbackDefinition({ inputSize: 0, layers: [{ name: 'h', size: 2, cell: 'gru' }], feedback: [{ kind: 'lateral', layer: 'x' }] }))
      .toThrow("feedback network definition has 2 problems:\n  - inputSize: is 0; expected a positive integer (features of each input step)\n  - feedback[0].layer: unknown layer 'x'; layers are h");
  });

  it('createFeedbackNetwork validates too', () => {
    expect(() => createFeedbackNetwork(new Random(0), { inputSize: 3, layers: [] })).toThrow(FeedbackDefinitionError);
  });
});

describe('feedback definition: plan', () => {
  it('resolves self recurrences and cross edges for each kind', () => {
    const plan = planFeedback(example as FeedbackDefinition);
    expect(plan.layers.map((l) => [l.name, l.cell, l.gates, l.inputWidth, l.self])).toEqual([
      ['h1', 'rnn_tanh', 1, 3, 'none'],
      ['h2', 'lstm', 4, 16, 'diagonal'],
      ['out', 'linear', 1, 8, 'none'],
    ]);
    expect(plan.edges.map((e) => e.key)).toEqual(['out_to_h1']);
    const lateral = planFeedback({ inputSize: 3, layers: layers as FeedbackDefinition['layers'], feedback: [{ kind: 'lateral', layer: 'h1' }] });
    expect(lateral.layers.map((l) => l.self)).toEqual(['full', 'none', 'none']);
    const complete = planFeedback({ inputSize: 3, layers: layers as FeedbackDefinition['layers'], feedback: 'complete' });
    expect(complete.layers.map((l) => l.self)).toEqual(['full', 'full', 'full']);
    expect(complete.edges.map((e) => `${e.from}>${e.to}`)).toEqual(['h2>h1', 'out>h1', 'h1>h2', 'out>h2', 'h1>out', 'h2>out']);
    expect(planFeedback({ inputSize: 1, layers: [{ name: 'i', size: 2, cell: 'indrnn' }] }).layers[0]).toMatchObject({ cell: 'indrnn_relu', self: 'diagonal' });
  });
});

describe('feedback definition: JSON', () => {
  it('round-trips through JSON text to an equal definition and the same network', () => {
    const text = stringifyFeedbackDefinition(example as FeedbackDefinition);
    const back = parseFeedbackDefinition(text);
    expect(back).toEqual(example);
    expect(stringifyFeedbackDefinition(back)).toBe(text);
    const a = createFeedbackNetwork(new Random(3), example as FeedbackDefinition);
    const b = createFeedbackNetwork(new Random(3), parseFeedbackDefinition(JSON.stringify(a.config)));
    expect(b.config).toEqual(a.config);
    expect(namedParameters(b).map(([n, p]) => [n, p.toList()])).toEqual(namedParameters(a).map(([n, p]) => [n, p.toList()]));
  });

  it('keeps the complete shorthand and drops nothing but unknown keys (which it rejects)', () => {
    const complete = { inputSize: 2, layers: [{ name: 'h', size: 3, cell: 'gru' }], feedback: 'complete' };
    expect(JSON.parse(stringifyFeedbackDefinition(complete as FeedbackDefinition))).toEqual(complete);
  });

  it('rejects text that is not JSON, and invalid definitions, with INVALID_CONFIG', () => {
    expect(() => parseFeedbackDefinition('{ "inputSize": 3, ')).toThrow(/feedback network definition: the text is not valid JSON/);
    expect(() => parseFeedbackDefinition('{ "inputSize": 3, "layers": [] }')).toThrow(FeedbackDefinitionError);
  });
});
