/**
 * The fused hot path of @loopflow/cells: WebAssembly kernels that run one layer and direction
 * of an RNN / LSTM / GRU / IndRNN over all T steps in one call, forward and backward, recorded
 * as one autograd node, and batch-1 streams. Importing the package installs `fusedLayerRunner`
 * through `setLayerRunner`, unless the environment has `LOOPFLOW_FUSED=0`; `setLayerRunner(null)`
 * removes it at run time (for `runRecurrent` and for streamers created afterwards alike). The
 * runner takes float32 only and declines everything else, so the composed path (and gradCheck
 * in float64) is unchanged.
 */
import { setLayerRunner } from '../layer-runner';
import { fusedLayerRunner } from './runner';

export { fusedLayerRunner } from './runner';
export { fusedKernelsAvailable, fusedKernelsInfo, fusedLiveTapes, fusedWaitForThreads } from './context';

/** The environment variable that turns the default fused runner off (`LOOPFLOW_FUSED=0`). */
export const FUSED_ENV = 'LOOPFLOW_FUSED';

if (process.env[FUSED_ENV] !== '0') setLayerRunner(fusedLayerRunner);
