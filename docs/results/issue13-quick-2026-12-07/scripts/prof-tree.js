// self time and inclusive time by function
const fs=require('fs');const p=JSON.parse(fs.readFileSync(process.argv[2]));
const byId=new Map(p.nodes.map(x=>[x.id,x]));const parent=new Map();
for(const n of p.nodes) for(const c of n.children||[]) parent.set(c,n.id);
const self=new Map(), incl=new Map();let tot=0;
const key=n=>`${n.callFrame.functionName||'(anon)'} ${n.callFrame.url.split('/').slice(-1)[0]}:${n.callFrame.lineNumber}`;
for(let i=0;i<p.samples.length;i++){const d=p.timeDeltas[i]||0;tot+=d;let id=p.samples[i];const n=byId.get(id);self.set(key(n),(self.get(key(n))||0)+d);
 const seen=new Set();while(id!==undefined){const k=key(byId.get(id));if(!seen.has(k)){seen.add(k);incl.set(k,(incl.get(k)||0)+d);}id=parent.get(id);}}
console.log('total ms',(tot/1000).toFixed(0));
console.log('--- self');[...self].sort((a,b)=>b[1]-a[1]).slice(0,30).forEach(([k,v])=>console.log((v/1000).toFixed(0).padStart(8),(100*v/tot).toFixed(1).padStart(5)+'%',k));
console.log('--- inclusive');[...incl].sort((a,b)=>b[1]-a[1]).slice(0,+process.argv[3]||50).forEach(([k,v])=>console.log((v/1000).toFixed(0).padStart(8),(100*v/tot).toFixed(1).padStart(5)+'%',k));
