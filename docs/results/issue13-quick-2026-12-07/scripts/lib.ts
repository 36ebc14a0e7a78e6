// Bundled by esbuild into /tmp/q/bundle-lib.cjs (what prof-job.js, first-job.js and child-phases read), from the repository root:
// node -e "require('esbuild').buildSync({entryPoints:['docs/results/issue13-quick-2026-12-07/scripts/lib.ts'],outfile:'/tmp/q/bundle-lib.cjs',bundle:true,platform:'node',format:'cjs',target:'node20',tsconfig:'tsconfig.base.json'})"
export { runJob, planSuite, resolveSuite } from '@loopflow/benchmark';
