/**
 * The fused hot path of @loopflow/cells: WebAssembly kernels that run one layer and direction
 * of an RNN / LSTM / GRU / IndRNN over all T steps in one call, forward and backward, recorded
 * as one autograd node, and batch-1 streams. Importing the package makes `fusedLayerRunner` the
 * default runner, unless the environment has `LOOPFLOW_FUSED=0` (read on the first recurrent
 * call, not at import, like every other setting); `setLayerRunner(null)`
 * removes it at run time (for `runRecurrent` and for streamers created afterwards alike). The
 * runner takes float32 only and declines everything else, so the composed path (and gradCheck
 * in float64) is unchanged.
 */
import { envVar } from '@loopflow/tensor';
import { setDefaultLayerRunner } from '../layer-runner';
import { fusedLayerRunner } from './runner';

export { fusedLayerRunner } from './runner';
export { fusedKernelsAvailable, fusedKernelsInfo, fusedLiveTapes, fusedWaitForThreads, fusedThreadsReady } from './context';

/** The environment variable that turns the default fused runner off (`LOOPFLOW_FUSED=0`). */
export const FUSED_ENV = 'LOOPFLOW_FUSED';

setDefaultLayerRunner(() => (envVar(FUSED_ENV) === '0' ? null : fusedLayerRunner));
