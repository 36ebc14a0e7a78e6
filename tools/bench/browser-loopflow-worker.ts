/**
 * The `browser` bench's loopflow worker (bundled to browser-loopflow.js): the `cells` bench's
 * loopflow workloads (dense one-hot training, `stepIndex` streaming) on `spec.threads` threads.
 * With 2, the thread teams (the backend's matmul and the fused kernels') are awaited before
 * the case: their Web Workers start only while this worker yields.
 */
import { getBackendName, getBackendThreads, setThreads, threadsReady } from '@loopflow/tensor';
import { fusedKernelsInfo, fusedThreadsReady } from '@loopflow/cells';
import { loopflowInference, loopflowTraining } from './cells-loopflow';
import { serveBrowserCase } from './browser-case';

let helpersUp = false;

serveBrowserCase({
  async setup(spec) {
    setThreads(spec.threads);
    getBackendName(); // creates the backend (and its team with 2 threads)
    if (spec.threads > 1) helpersUp = (await fusedThreadsReady(10000)) && (await threadsReady(10000));
  },
  training: loopflowTraining('dense'),
  inference: loopflowInference,
  async pathNote(spec) {
    const fused = fusedKernelsInfo();
    const fusedText = fused ? `fused=${fused.variant} fusedThreads=${fused.threads} helperItems=${fused.helperItems}` : 'fused=unavailable';
    return `matmulThreads=${getBackendThreads()} ${fusedText}${spec.threads > 1 ? ` helpersUp=${helpersUp}` : ''}`;
  },
});
