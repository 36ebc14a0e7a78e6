// Runs an ONNX model in ONNX Runtime in a process of its own and prints its outputs as JSON.
// Why a process: onnxruntime-node's native binding makes typed arrays of Node's own realm,
// which fail onnxruntime-common's `instanceof Float32Array` checks inside jest's sandbox.
// stdin: { models: [{ model: base64, runs: [{ name: { type, dims, data: number[] } }] }] }
// stdout: [{ inputNames, outputNames, runs: [{ name: { type, dims, data: number[] } }] } or { error: message }] (one per model)
const ort = require('onnxruntime-node');

const ARRAYS = { float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array, bool: Uint8Array };

async function runModel(request) {
  let session;
  try {
    session = await ort.InferenceSession.create(Buffer.from(request.model, 'base64'));
  } catch (e) {
    return { error: `load: ${e.message}` };
  }
  const runs = [];
  for (const feeds of request.runs) {
    const inputs = {};
    for (const [name, { type, dims, data }] of Object.entries(feeds)) {
      const values = type === 'int64' ? data.map((v) => BigInt(v)) : type === 'bool' ? data.map((v) => (v ? 1 : 0)) : data;
      inputs[name] = new ort.Tensor(type, ARRAYS[type].from(values), dims);
    }
    try {
      const results = await session.run(inputs);
      const out = {};
      for (const name of session.outputNames) {
        const t = results[name];
        out[name] = { type: t.type, dims: Array.from(t.dims), data: Array.from(t.data, (v) => (typeof v === 'bigint' ? Number(v) : v)) };
      }
      runs.push(out);
    } catch (e) {
      return { error: `run: ${e.message}` };
    }
  }
  return { inputNames: session.inputNames, outputNames: session.outputNames, runs };
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const replies = [];
  for (const model of request.models) replies.push(await runModel(model));
  process.stdout.write(JSON.stringify(replies));
}

main().catch((e) => {
  process.stderr.write(String((e && e.stack) || e));
  process.exit(1);
});
