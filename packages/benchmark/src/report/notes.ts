import type { CompareReport } from './types';

/** What the report says about how each figure was measured (shared by Markdown and HTML). */
export function measurementNotes(report: CompareReport): string[] {
  const c = report.config;
  const isolated = report.machine.isolation === 'process';
  return [
    `Training: Adam (learning rate ${Object.entries(c.lr).map(([k, v]) => `${k} ${v}`).join(', ')}), gradients clipped to global norm ${c.clipGradNorm}, batch ${c.batchSize}, full BPTT, through @loopflow/training's train(). Validation every few steps (see each task) gives "steps to solve" (the first validation at the threshold); runs of the adding and copy tasks stop there. The final metric is on a separate test set, the same for every model and seed.`,
    `Equal budgets: each model's width (hidden size, or dModel for the transformer) is the one whose exact parameter count (layers + head) is closest to the task's budget; the Params column gives the count.`,
    `Time per step: the median over a run of the wall time of forward + backward + clipping + Adam (the trainer's step event), with ${report.machine.parallel} runs in parallel${isolated ? ` in separate worker processes, each with LOOPFLOW_THREADS=${Math.max(1, Math.floor(report.machine.cpus / report.machine.parallel))} unless set` : ''} on ${report.machine.cpus} cores; load average ${report.machine.loadAverageStart.map((v) => v.toFixed(2)).join(' / ')} at the start and ${report.machine.loadAverageEnd.map((v) => v.toFixed(2)).join(' / ')} at the end (the machine may be shared).`,
    isolated
      ? 'Peak RSS: each training run ran in a worker process of its own, so its peak resident set (process.resourceUsage().maxRSS) is that run\'s; it includes Node, the loaded code and the WebAssembly kernels\' memory (about ' + baseMB(report) + ' MB in an idle worker).'
      : 'Peak RSS: not measured per run (runs shared this process).',
    'Heap peak: the largest V8 heap + ArrayBuffer memory sampled right after each training forward pass (the graph for backward alive), above the level before training; garbage not yet collected is included, while buffers the fused recurrent kernels keep in WebAssembly memory are not (the peak RSS has them).',
    `Scaling: one small model per kind (budget ${c.scaling.budget} parameters, input 2, output 1, batch ${c.scaling.batchSize}) trained on adding-problem batches at T = ${c.scaling.lengths.join(', ')} in increasing order; per length warm-up steps (three more before the first length) then ${c.scaling.repeats} timed steps (the best of them, as kernel benchmarks do, since load spikes only ever add time), one job at a time with the kernels on one thread (LOOPFLOW_THREADS=1 unless set). "MB per step" is the size of the tensors the autograd graph keeps for backward (every tensor reachable from the loss, parameters excluded: deterministic, a lower bound since buffers held only inside backward closures are not seen); results.json also has the sampled V8 heap + ArrayBuffer growth over the forward pass (collector forced first${report.scaling.every((s) => s.gcForced) ? '' : ', except where --expose-gc was missing'}) as a noisy cross-check; ${fusedNote(report)}the peak RSS table is the scaling worker's maxRSS after each length. Exponents: least-squares slope of log(y) on log(T) over all lengths, and the slope between the two longest lengths.`,
    `Gradient flow: ‖dL/dh_t‖ of each recurrent layer for the MSE after the last step of an adding-problem batch (T = ${c.gradientFlow.length}, batch ${c.gradientFlow.batchSize}) at initialisation, and after training on the longest adding length for the first seed.`,
  ];
}

function baseMB(report: CompareReport): string {
  const bases = report.runs.map((r) => r.rssWorkerBaseBytes).filter((v): v is number => typeof v === 'number');
  if (bases.length === 0) return '?';
  return (bases.reduce((a, b) => a + b, 0) / bases.length / (1024 * 1024)).toFixed(0);
}

function fusedNote(report: CompareReport): string {
  const fused = report.scaling.filter((s) => s.recurrentPath === 'fused' || s.recurrentPath === 'mixed').map((s) => s.model);
  const composed = report.scaling.filter((s) => s.recurrentPath === 'composed').map((s) => s.model);
  if (fused.length === 0) return composed.length > 0 ? `The recurrent models ran on the composed path (${composed.join(', ')}). ` : '';
  return `The recurrent layers of ${fused.join(', ')} ran through the fused WebAssembly kernels of @loopflow/cells: their per-step activations live in WebAssembly memory, outside the graph, so their graph bytes count only each layer's input projection and outputs (still linear in T; the peak RSS includes the rest)${composed.length > 0 ? `; ${composed.join(', ')} ran on the composed path` : ''}. `;
}
