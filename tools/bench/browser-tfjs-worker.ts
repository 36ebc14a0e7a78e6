/**
 * The `browser` bench's TensorFlow.js worker (bundled to browser-tfjs.js): the `cells` bench's
 * tfjs workloads (cells-tfjs.ts) on the WASM backend, its .wasm files fetched from /tfjs/ (the
 * bench serves node_modules/@tensorflow/tfjs-backend-wasm/dist there). 1 thread: the SIMD build
 * without threads; 2: the threaded SIMD build with `setThreadsCount(2)` (the page is cross-origin
 * isolated, so tfjs finds SharedArrayBuffer).
 */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { tfjsInference, tfjsTraining } from './cells-tfjs';
import { serveBrowserCase } from './browser-case';
import type { BrowserCaseSpec } from './browser-config';

let threads = 1;

async function useWasm(): Promise<void> {
  setWasmPaths('/tfjs/');
  if (threads > 1) setThreadsCount(threads);
  else tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend('wasm'))) throw new Error("tfjs: the 'wasm' backend failed to initialize (are its .wasm files served at /tfjs/?)");
  await tf.ready();
  const multithread = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  if (threads > 1 && !multithread) throw new Error('tfjs: no multithread support in this page (is it cross-origin isolated?)');
}

serveBrowserCase({
  async setup(spec: BrowserCaseSpec) {
    threads = spec.threads;
  },
  training: tfjsTraining('wasm', useWasm),
  inference: tfjsInference('wasm', useWasm),
  async pathNote() {
    return `threadsCount=${threads}`;
  },
});
