const mem = new WebAssembly.Memory({ initial: 256 });
const view = new Float32Array(mem.buffer);
const n = 100 * 32 * 124;
let keep = [];
for (let r = 0; r < 3; r++) {
  let t = performance.now(); let c = process.cpuUsage();
  for (let i = 0; i < 500; i++) { const p = new Float32Array(n + 4000); p.set(view.subarray(0, n)); keep.push(p); if (keep.length > 4) keep.shift(); }
  let u = process.cpuUsage(c);
  console.log('fresh alloc+copy', ((performance.now() - t) / 500).toFixed(3), 'ms/call; user', (u.user/500/1000).toFixed(3), 'sys', (u.system/500/1000).toFixed(3));
  const reuse = new Float32Array(n + 4000);
  t = performance.now();
  for (let i = 0; i < 500; i++) { reuse.set(view.subarray(0, n)); }
  console.log('reuse copy', ((performance.now() - t) / 500).toFixed(3));
}
