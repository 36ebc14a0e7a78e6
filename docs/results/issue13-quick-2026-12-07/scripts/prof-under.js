// inclusive time of functions under a given function name
const fs=require('fs');const p=JSON.parse(fs.readFileSync(process.argv[2]));const root=process.argv[3];
const byId=new Map(p.nodes.map(x=>[x.id,x]));const parent=new Map();
for(const n of p.nodes) for(const c of n.children||[]) parent.set(c,n.id);
const key=n=>`${n.callFrame.functionName||'(anon)'} ${n.callFrame.url.split('/').slice(-1)[0]}:${n.callFrame.lineNumber}`;
const incl=new Map(),self=new Map();let tot=0;
for(let i=0;i<p.samples.length;i++){const d=p.timeDeltas[i]||0;let id=p.samples[i];const chain=[];while(id!==undefined){chain.push(byId.get(id));id=parent.get(id);}
 const idx=chain.findIndex(n=>n.callFrame.functionName===root);if(idx<0)continue;tot+=d;const sk=key(chain[0]);self.set(sk,(self.get(sk)||0)+d);
 const seen=new Set();for(const n of chain.slice(0,idx)){const k=key(n);if(!seen.has(k)){seen.add(k);incl.set(k,(incl.get(k)||0)+d);}}}
console.log(root,'total ms',(tot/1000).toFixed(0));
console.log('--- self');[...self].sort((a,b)=>b[1]-a[1]).slice(0,20).forEach(([k,v])=>console.log((v/1000).toFixed(0).padStart(8),(100*v/tot).toFixed(1).padStart(5)+'%',k));
console.log('--- inclusive');[...incl].sort((a,b)=>b[1]-a[1]).slice(0,25).forEach(([k,v])=>console.log((v/1000).toFixed(0).padStart(8),(100*v/tot).toFixed(1).padStart(5)+'%',k));
