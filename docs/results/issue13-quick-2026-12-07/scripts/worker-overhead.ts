// Times the pool's per-job overhead: lane time per job (start->end event) minus the job's own wallMs.
// Run: npx ts-node -P tsconfig.base.json docs/results/issue13-quick-2026-12-07/scripts/worker-overhead.ts (PAR=2 for two lanes)
import { runJobs } from '@loopflow/benchmark';
import { planSuite, resolveSuite } from '@loopflow/benchmark';
async function main() {
  const plan = planSuite(resolveSuite({ suite: 'quick' }));
  // short jobs: co2 / char-lm at 1 step
  const jobs = plan.training.filter((j) => /co2|copy\/delay=5/.test(j.id) && j.model !== 'transformer').slice(0, 16).map((j) => ({ ...j, maxSteps: 40, evalEvery: 50 }));
  const starts = new Map<string, number>();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const rows: string[] = [];
  let over = 0;
  await runJobs(jobs, { parallel: Number(process.env.PAR ?? 1), isolation: 'process', threadsPerJob: 1 }, (e) => {
    if (e.type === 'start') starts.set(e.job.id, performance.now());
    if (e.type === 'end') {
      const lane = performance.now() - starts.get(e.job.id)!;
      const w = (e.result as any).wallMs ?? NaN;
      over += lane - w;
      rows.push(`${e.job.id}: lane ${lane.toFixed(0)} ms, job ${w.toFixed(0)} ms, outside ${(lane - w).toFixed(0)} ms`);
    }
  });
  const cpu = process.cpuUsage(cpu0);
  console.log(rows.join('\n'));
  console.log(`total ${(performance.now() - t0).toFixed(0)} ms; outside jobs mean ${(over / jobs.length).toFixed(0)} ms; lead CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`);
}
main();
