import { GraphBuilder, OPSET_VERSION } from './graph';
import { modelProtoType } from './schema';
import { f32, runOnnx } from '../testing/ort';
import { onnxSignature } from '../signature';

describe('GraphBuilder', () => {
  it('writes a ModelProto that ONNX Runtime loads and runs (dynamic dims, initializers, attributes)', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['T', 'B', 3]);
    const w = g.floats('w', [1, 2, 3], [3]);
    const y = g.op1('Add', [x, w]);
    const s = g.op1('ReduceSum', [y, g.int64s('axes', [2])], { keepdims: { int: 0 } });
    g.output(y, 'y', 'float32', ['T', 'B', 3]);
    g.output(s, 's', 'float32', ['T', 'B']);
    const bytes = g.encode('test', 'a test graph');
    const result = runOnnx(bytes, [{ x: f32([0, 0, 0, 1, 1, 1], [2, 1, 3]) }]);
    expect(result.inputNames).toEqual(['x']);
    expect(result.outputNames).toEqual(['y', 's']);
    const out = result.runs[0];
    expect(out.y).toEqual({ type: 'float32', dims: [2, 1, 3], data: [1, 2, 3, 2, 3, 4] });
    expect(out.s.data).toEqual([6, 9]);
  });

  it('reads back with the field numbers of onnx.proto3 (opset import, dims as dim_param)', () => {
    const g = new GraphBuilder();
    g.output(g.input('x', 'float32', ['T', 4]), 'y', 'float32', ['T', 4]);
    const decoded = modelProtoType().toObject(modelProtoType().decode(g.encode('g', '')), { longs: Number }) as Record<string, any>;
    expect(decoded.opset_import).toEqual([{ version: OPSET_VERSION }]);
    expect(decoded.graph.input[0].type.tensor_type.shape.dim).toEqual([{ dim_param: 'T' }, { dim_value: 4 }]);
    // ModelProto.graph is field 7, GraphProto.node field 1: the bytes start with ir_version (field 1, varint 8)
    expect(Array.from(g.encode('g', '').subarray(0, 2))).toEqual([0x08, 8]);
  });
});

describe('onnxSignature', () => {
  it('reads the inputs and outputs back, dynamic dims by name', () => {
    const g = new GraphBuilder();
    g.output(g.input('x', 'int64', ['T', 'B']), 'y', 'int64', ['T', 'B']);
    expect(onnxSignature(g.encode('g', ''))).toEqual({
      opset: OPSET_VERSION,
      inputs: [{ name: 'x', type: 'int64', shape: ['T', 'B'] }],
      outputs: [{ name: 'y', type: 'int64', shape: ['T', 'B'] }],
    });
    expect(() => onnxSignature(Uint8Array.of(0xff, 0xff, 0xff))).toThrow(expect.objectContaining({ code: 'ONNX_INVALID_MODEL' }));
  });
});
