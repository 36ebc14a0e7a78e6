/**
 * The HeapPeak check of memory.spec.ts, run in a fresh process (`node --expose-gc`) so that no
 * other test's garbage moves its baseline: prints one JSON line { peak, baseline, heapAfter, gc }.
 */
import { HeapPeak, collectGarbage, heapBytes } from './memory';

// 200 MB of tensor-like buffers die just before the baseline (as in a benchmark worker between
// jobs): a background sweeper frees them after the collection, so a baseline taken after only
// one collection sat far above every later sample.
let dead: Float32Array[] | null = Array.from({ length: 50 }, () => new Float32Array(1 << 20));
if (dead.length !== 50) throw new Error('unreachable');
dead = null;
const peak = new HeapPeak();
const kept = Array.from({ length: 32 }, () => new Float32Array(1 << 16)); // 8 MiB
peak.sample();
const gc = collectGarbage();
const heapAfter = heapBytes();
process.stdout.write(JSON.stringify({ peak: peak.bytes, baseline: peak.baseline, heapAfter, gc, kept: kept.length }) + '\n');
