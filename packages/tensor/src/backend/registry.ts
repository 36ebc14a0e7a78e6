// TEMPORARY stand-in written by the lead so ops can be tested; helper-1 replaces this file.
import { Kernels } from './kernels';
import { referenceKernels } from './reference';
export function getKernels(_dtype: 'float32' | 'float64'): Kernels { return referenceKernels; }
export function setBackend(_name: string): void {}
export function getBackendName(): string { return 'reference'; }
export function availableBackends(): string[] { return ['reference']; }
