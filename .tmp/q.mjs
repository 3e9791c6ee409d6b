import mysql from 'mysql2/promise';
const c = await mysql.createConnection({host:'127.0.0.1',user:'root',database:process.env.DB||'scalewt_base'});
const qs = process.argv.slice(2);
for (const q of qs) {
  const t=[]; let r;
  for (let i=0;i<7;i++){const s=performance.now(); [r]=await c.query(q); t.push(performance.now()-s);}
  t.sort((a,b)=>a-b);
  console.log(t[3].toFixed(1).padStart(7),'ms', Array.isArray(r)?r.length+' rows':'', JSON.stringify(r[0]??'').slice(0,80),' | ', q.slice(0,120).replace(/\s+/g,' '));
}
await c.end();
