/**
 * @loopflow/tensor — the base of loopflow: tensors with reverse-mode autograd, the kernel
 * backends (reference TypeScript, WebAssembly SIMD), the WebAssembly runtime that other
 * packages' kernels share too, a seeded random generator, initializers and gradCheck.
 * Depends on no other loopflow package.
 */
export { Tensor, formatTensor } from './tensor';
export type { DType, NestedArray } from './tensor';
export { LoopflowError, ShapeError, AutogradError, fmtShape } from './errors';
export { sizeOf, stridesOf, sameShape, broadcastShapes, normAxis } from './shape';
export { tensor, fromArray, scalar, full, zeros, ones, zerosLike, onesLike, arange, eye, allocate } from './create';
export type { CreateOptions } from './create';
export { backward, grad, record, deferredGrad } from './autograd';
export type { Differentiable } from './autograd';
export type { TensorGradNode as GradNode } from './tensor';
export { noGrad, enableGrad, isGradEnabled } from './grad-mode';
export { add, sub, mul, div, neg, exp, log, sqrt, tanh, sigmoid, relu, pow, clamp, scale, square, abs } from './ops/elementwise';
export { sum, mean, max, argmax, softmax, logSoftmax, logSumExp } from './ops/reduce';
export type { Axes } from './ops/reduce';
export { reshape, unsqueeze, squeeze, permute, transpose, broadcastTo, concat, stack, slice, split, unbind, select } from './ops/shape-ops';
export { matmul } from './ops/matmul';
export { gather, oneHot, where, maskedFill } from './ops/index-ops';
export type { Indices } from './ops/index-ops';
export { sumToShape, expandData } from './ops/util';
export type { TensorLike } from './ops/util';
export { gradCheck } from './gradcheck';
export type { GradCheckOptions, GradCheckResult, GradCheckInput } from './gradcheck';
export { Random } from './random';
export type { RandomState } from './random';
export { uniform, normal, glorotUniform, glorotNormal, orthogonal, recurrentUniform, fans } from './init';
export type { InitOptions } from './init';
export { getKernels, setBackend, getBackendName, getBackendThreads, availableBackends, BACKEND_NAMES, BACKEND_ENV } from './backend/registry';
export type { BackendName, ConcreteBackendName } from './backend/registry';
export { BackendError } from './backend/backend-error';
export type { BackendErrorCode } from './backend/backend-error';
export { referenceKernels } from './backend/reference';
export type { Kernels, FloatArray, MatmulOptions, UnaryKernelName, BinaryKernelName } from './backend/kernels';
// Standalone kernel sets, outside the backend registry, for benchmarks and tests that compare
// implementations (tools/bench/matmul.ts): each is a complete `Kernels` object.
export { createWasmKernels } from './backend/wasm';
export type { WasmKernels, WasmKernelsOptions, ParallelMatmul } from './backend/wasm';
export { createThreadedWasmKernels } from './backend/wasm-threads';
export type { MatmulThreadPool, ThreadedWasmKernels, ThreadedWasmKernelsOptions } from './backend/wasm-threads';
// The WebAssembly runtime that tensor's kernels and other packages' kernels (cells' fused
// layers, attention) share: feature detection, module loading, memory regions, the thread team.
export { simdSupported, relaxedSimdSupport } from './runtime/features';
export type { RelaxedSimdSupport } from './runtime/features';
export {
  loadWasmBuild, wasmBuildFile, engineSupports, instantiateWasm, createSharedMemory, SHARED_MAX_PAGES, BUILD_HINT,
} from './runtime/builds';
export type { WasmVariant, WasmBuildSource, WasmKernelInstance } from './runtime/builds';
export { wasmFolder } from './runtime/wasm-folder';
export { embeddedBuilds, packageBuildSource, decodeBase64 } from './runtime/embedded';
export type { EmbeddedBuilds } from './runtime/embedded';
// The one door to Node.js (built-in modules, environment, stderr) for code that also runs in a page.
export { nodeModule, envVar, isNode, engineName, writeDiagnostic } from './runtime/node';
export type { NodeBuiltins, NodeBuiltinName } from './runtime/node';
export { WasmHeap, HeapRegions } from './runtime/heap';
export type { MemoryErrorFactory } from './runtime/heap';
export { ThreadTeam, threadsReady, helperThreadsAvailable, KERNEL_TEAM, KERNEL_TEAM_WORDS } from './runtime/team';
export type { ThreadTeamOptions, TeamWords } from './runtime/team';
export { configuredThreads, setThreads, THREADS_ENV } from './runtime/threads';
export { canBlock, webThreadsUnavailable } from './runtime/web';
export type { WasmMemory, WasmModule } from './runtime/webassembly';
