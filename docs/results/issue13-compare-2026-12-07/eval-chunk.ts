// Evaluation cost by batch size: evaluateSet on the adding problem's validation set (1000 sequences) as stored (batches of 500) and re-cut into batches of CHUNK (the same sequences), then as stored again; from a repository root:
// LOOPFLOW_THREADS=1 TS_NODE_PROJECT=tsconfig.json node -r ts-node/register/transpile-only -r tsconfig-paths/register eval-chunk.ts MODEL T CHUNK
const path = require('path');
const { Random, Tensor } = require(path.join(process.cwd(), 'packages/tensor/src/index'));
const b = require(path.join(process.cwd(), 'packages/benchmark/src/index'));
const { evaluateSet } = require(path.join(process.cwd(), 'packages/benchmark/src/training/train-run'));
const [model, T, chunk] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const task = b.createTask({ task: 'adding', length: T, validationSize: 1000, testSize: 10 });
const m = b.createBenchModel(model, task, 16000, new Random('0/init'), { maxLength: T });
function recut(batches: any[], size: number) {
  const out: any[] = [];
  for (const bt of batches) {
    const [TT, B, F] = bt.inputs.shape;
    for (let s = 0; s < B; s += size) {
      const n = Math.min(size, B - s);
      const x = new Float32Array(TT * n * F);
      for (let t = 0; t < TT; t++) x.set(bt.inputs.data.subarray((t * B + s) * F, (t * B + s + n) * F), t * n * F);
      const y = bt.targets.data.slice(s, s + n);
      out.push({ inputs: new Tensor(x, [TT, n, F]), targets: new Tensor(y, [n, 1]) });
    }
  }
  return out;
}
for (const [name, set] of [['500', task.validation], [String(chunk), recut(task.validation, chunk)], ['500', task.validation]] as const) {
  const c0 = process.cpuUsage(); const t0 = performance.now();
  const r = evaluateSet(m, task, set as any);
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ model, T, chunk: Number(name), value: r.value, wallMs: Math.round(performance.now() - t0), cpuMs: Math.round((c.user + c.system) / 1000), sysMs: Math.round(c.system / 1000) }));
}
