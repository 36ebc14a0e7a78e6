import { AttributeType, DataType, DataTypeCode, modelProtoType } from './schema';

/** An attribute value of a node, tagged with its ONNX type. */
export type AttributeValue =
  | { graph: GraphBuilder; name: string }
  | { int: number }
  | { float: number }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { string: string }
  | { strings: readonly string[] };

/** A dimension of a graph input or output: a size, or a name (`dim_param`) for a dynamic size. */
export type Dimension = number | string;

/** The element types a graph's inputs, outputs and constants use here. */
export type ElementType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool';

const ELEMENT_CODES: Record<ElementType, DataTypeCode> = {
  float32: DataType.FLOAT, float64: DataType.DOUBLE, int32: DataType.INT32, int64: DataType.INT64, bool: DataType.BOOL,
};

type ConstantData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

interface NodeMessage {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  attribute: Record<string, unknown>[];
}

interface TensorMessage {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

interface ValueInfoMessage {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: ({ dim_value: number } | { dim_param: string })[] } } };
  doc_string?: string;
}

/** The opset every exported graph imports (LayerNormalization needs 17). */
export const OPSET_VERSION = 17;
/** The IR version that opset 17 goes with. */
export const IR_VERSION = 8;

function attribute(name: string, value: AttributeValue): Record<string, unknown> {
  if ('graph' in value) return { name, type: AttributeType.GRAPH, g: value.graph.graphMessage(value.name) };
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('ints' in value) return { name, type: AttributeType.INTS, ints: [...value.ints] };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: [...value.floats] };
  if ('string' in value) return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value.string) };
  return { name, type: AttributeType.STRINGS, strings: value.strings.map((s) => new TextEncoder().encode(s)) };
}

function littleEndianBytes(data: ConstantData): Uint8Array {
  // Typed arrays are in the platform's byte order; every platform Node and the browsers run on is little-endian,
  // as ONNX's raw_data is. Copied so later changes to the source tensor do not reach the model.
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

/**
 * Builds one ONNX graph: nodes in topological order (each op is added after its inputs exist),
 * constants as initializers, typed inputs and outputs. Names are made unique with a counter,
 * so helpers can ask for `'h'` many times.
 */
export class GraphBuilder {
  private readonly nodes: NodeMessage[] = [];
  private readonly initializers: TensorMessage[] = [];
  private readonly inputs: ValueInfoMessage[] = [];
  private readonly outputs: ValueInfoMessage[] = [];
  private readonly used: Set<string>;
  private readonly scalarCache: Map<string, string>;
  private readonly root: GraphBuilder;

  /**
   * A graph; with `parent`, a subgraph (the body of a Scan or Loop) that shares its parent's
   * names and keeps its constants in the parent's initializers (a body reads outer values).
   */
  constructor(parent?: GraphBuilder) {
    this.root = parent ? parent.root : this;
    this.used = parent ? parent.used : new Set<string>();
    this.scalarCache = parent ? parent.scalarCache : new Map<string, string>();
  }

  /** A fresh value name starting with `hint`. */
  name(hint: string): string {
    let name = hint;
    for (let k = 1; this.used.has(name); k++) name = `${hint}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Declares a graph input named exactly `name`. */
  input(name: string, type: ElementType, shape: readonly Dimension[], doc?: string): string {
    if (this.used.has(name)) throw new Error(`onnx graph: the name '${name}' is taken`);
    this.used.add(name);
    this.inputs.push(valueInfo(name, type, shape, doc));
    return name;
  }

  /** Declares a graph input with a fresh name from `hint` (a subgraph's inputs); returns the name. */
  freshInput(hint: string, type: ElementType, shape: readonly Dimension[]): string {
    const name = this.name(hint);
    this.inputs.push(valueInfo(name, type, shape));
    return name;
  }

  /** Declares `value` a graph output under a fresh name from `hint` (a subgraph's outputs, in order). */
  freshOutput(value: string, hint: string, type: ElementType, shape: readonly Dimension[]): void {
    const name = this.name(hint);
    this.nodes.push({ input: [value], output: [name], name: this.name('Identity_node'), op_type: 'Identity', attribute: [] });
    this.outputs.push(valueInfo(name, type, shape));
  }

  /** Declares `value` a graph output under `name` (an Identity renames it when needed). */
  output(value: string, name: string, type: ElementType, shape: readonly Dimension[], doc?: string): void {
    if (value !== name) {
      if (this.used.has(name)) throw new Error(`onnx graph: the output name '${name}' is taken`);
      this.used.add(name);
      this.nodes.push({ input: [value], output: [name], name: `output_${name}`, op_type: 'Identity', attribute: [] });
    }
    this.outputs.push(valueInfo(name, type, shape, doc));
  }

  /** A constant tensor (an initializer). */
  constant(hint: string, data: ConstantData, dims: readonly number[], type: ElementType): string {
    const name = this.name(hint);
    this.root.initializers.push({ name, dims: [...dims], data_type: ELEMENT_CODES[type], raw_data: littleEndianBytes(data) });
    return name;
  }

  /** A float32 constant. */
  floats(hint: string, values: ArrayLike<number>, dims: readonly number[]): string {
    return this.constant(hint, Float32Array.from(values), dims, 'float32');
  }

  /** An int64 constant (shapes, axes, indices). */
  int64s(hint: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(hint, BigInt64Array.from(values.map((v) => BigInt(v))), dims, 'int64');
  }

  /** A shared scalar constant (one initializer per value and type). */
  scalar(value: number, type: 'float32' | 'int64' | 'int32'): string {
    const key = `${type}:${value}`;
    let name = this.scalarCache.get(key);
    if (!name) {
      const data = type === 'float32' ? Float32Array.of(value) : type === 'int32' ? Int32Array.of(value) : BigInt64Array.of(BigInt(value));
      name = this.constant(`${type === 'float32' ? 'f' : 'i'}${String(value).replace(/[^0-9a-z]/gi, '_')}`, data, [], type);
      this.scalarCache.set(key, name);
    }
    return name;
  }

  /**
   * Adds a node; returns its output names (`outputs` of them, named from `hint`). An input
   * given as '' is an omitted optional input.
   */
  op(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, outputs = 1, hint = opType.toLowerCase()): string[] {
    const names = Array.from({ length: outputs }, (_, k) => this.name(outputs === 1 ? hint : `${hint}_${k}`));
    this.nodes.push({
      input: [...inputs],
      output: names,
      name: this.name(`${opType}_node`),
      op_type: opType,
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return names;
  }

  /** A node with one output. */
  op1(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, hint?: string): string {
    return this.op(opType, inputs, attributes, 1, hint)[0];
  }

  /** This graph as a GraphProto message (a subgraph attribute). */
  graphMessage(graphName: string): Record<string, unknown> {
    return { name: graphName, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs };
  }

  /** The serialized ModelProto of this graph. */
  encode(graphName: string, docString: string, metadata: Record<string, string> = {}): Uint8Array {
    const type = modelProtoType();
    const message = type.fromObject({
      ir_version: IR_VERSION,
      opset_import: [{ domain: '', version: OPSET_VERSION }],
      producer_name: 'loopflow',
      producer_version: '0.1.0',
      doc_string: docString,
      graph: this.graphMessage(graphName),
      metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    });
    return type.encode(message).finish();
  }
}

function valueInfo(name: string, type: ElementType, shape: readonly Dimension[], doc?: string): ValueInfoMessage {
  return {
    name,
    type: { tensor_type: { elem_type: ELEMENT_CODES[type], shape: { dim: shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } },
    ...(doc ? { doc_string: doc } : {}),
  };
}
