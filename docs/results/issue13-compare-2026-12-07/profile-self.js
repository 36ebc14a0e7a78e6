const fs=require('fs');const p=JSON.parse(fs.readFileSync(process.argv[2]));
const self=new Map();let tot=0;const byId=new Map(p.nodes.map(x=>[x.id,x]));
for(let i=0;i<p.samples.length;i++){const d=p.timeDeltas[i]||0;tot+=d;const n=byId.get(p.samples[i]);const k=`${n.callFrame.functionName||'(anon)'} ${n.callFrame.url.split('/').slice(-3).join('/')}:${n.callFrame.lineNumber}`;self.set(k,(self.get(k)||0)+d);}
console.log('total ms',(tot/1000).toFixed(0));
[...self].sort((a,b)=>b[1]-a[1]).slice(0,+process.argv[3]||40).forEach(([k,v])=>console.log((v/1000).toFixed(0).padStart(8),(100*v/tot).toFixed(1).padStart(5)+'%',k));
