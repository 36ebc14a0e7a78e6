// Self time per (WebAssembly function <- its caller) of a .cpuprofile, in ms per step: node wasm-callers.js <file> <steps>
const fs=require('fs');const p=JSON.parse(fs.readFileSync(process.argv[2]));const steps=+process.argv[3];
const by=new Map(p.nodes.map(n=>[n.id,n]));const par=new Map();for(const n of p.nodes)for(const c of n.children||[])par.set(c,n.id);
const nm=n=>n.callFrame.functionName.replace(/packages\/[a-z]+\/assembly\//g,'').replace(/<[^>]*>/g,'');
const acc=new Map();p.samples.forEach((id,i)=>{const us=p.timeDeltas[i]||0;const leaf=by.get(id);if(!leaf.callFrame.url.startsWith('wasm'))return;const pp=by.get(par.get(id));const k=nm(leaf)+' <- '+(pp?nm(pp):'?');acc.set(k,(acc.get(k)||0)+us)});
for(const [k,v] of [...acc].sort((a,b)=>b[1]-a[1]).slice(0,20))console.log((v/1000/steps).toFixed(2).padStart(8),k);
