// Fused attention alone, forward + backward, on one thread: attn.ts B H T headWidth reps (the comparison's T 1000: 32 4 1000 5 3),
// causal, float32, in the repository the current directory is (run by before-after.sh). Prints wall ms (median, least) and CPU ms per rep.
const path = require('path');
const { Random, grad, sum, mul } = require(path.join(process.cwd(), 'packages/tensor/src/index'));
const { scaledDotProductAttention } = require(path.join(process.cwd(), 'packages/attention/src/index'));
const { randn } = require(path.join(process.cwd(), 'packages/attention/src/test-helpers'));
const [B, H, T, D, reps] = process.argv.slice(2).map(Number);
const rng = new Random(1);
const mk = () => { const t = randn(rng, [B, H, T, D], { dtype: 'float32' }); t.requiresGrad = true; return t; };
const q = mk(), k = mk(), v = mk();
const R = randn(rng, [B, H, T, D], { dtype: 'float32' });
const once = () => { const { output } = scaledDotProductAttention(q, k, v, { causal: true, returnWeights: false }); const t = performance.now(); grad(sum(mul(output, R)), [q, k, v]); return t; };
const f: number[] = [], b: number[] = [];
once();
const c0 = process.cpuUsage();
for (let i = 0; i < reps; i++) { const t0 = performance.now(); const t1 = once(); const t2 = performance.now(); f.push(t1 - t0); b.push(t2 - t1); }
const c = process.cpuUsage(c0);
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
const min = (a: number[]) => Math.min(...a);
console.log(JSON.stringify({ shape: [B, H, T, D], fwdMedMs: +med(f).toFixed(1), fwdMinMs: +min(f).toFixed(1), bwdMedMs: +med(b).toFixed(1), bwdMinMs: +min(b).toFixed(1), cpuMsPerRep: +((c.user + c.system) / 1000 / reps).toFixed(1) }));
