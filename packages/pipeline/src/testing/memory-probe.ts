/**
 * Peak memory of a run on a generated CSV, in a process of its own (issue 16). Writes the CSV
 * (text classification: a text and a label per row; or a one-column series), runs the pipeline
 * until its first training step, and prints one JSON line: the file's size, the RSS before the
 * run (Node, ts-node and the modules loaded), the peak RSS (VmHWM, see peakRssBytes), the heap at
 * the `data` event, the samples, the seconds.
 *
 *   node --expose-gc -r ts-node/register/transpile-only -r tsconfig-paths/register \
 *     packages/pipeline/src/testing/memory-probe.ts <folder> <text|series> <MB>
 *
 * `memory.spec.ts` runs it on a small file; a person runs it at 200 MB (see the README).
 * With LOOPFLOW_PROBE_TRACE=1 it also prints the RSS, peak and heap at each stage's start
 * and end to stderr.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runPipeline } from '../run/run-pipeline';
import type { PipelineDefinition } from '../definition/types';

const WORDS = ['spam', 'ham', 'offer', 'meeting', 'free', 'today', 'money', 'report', 'click', 'team', 'invoice', 'lunch'];

/** Writes about `mb` MB of CSV rows; returns its size in bytes. */
export function writeProbeCsv(file: string, kind: 'text' | 'series', mb: number): number {
  const out = fs.openSync(file, 'w');
  const target = mb * 1024 * 1024;
  let written = 0;
  let t = 0;
  try {
    const header = kind === 'series' ? 't,value\n' : 'text,label\n';
    fs.writeSync(out, header);
    written += header.length;
    while (written < target) {
      const lines: string[] = [];
      for (let i = 0; i < 5000; i++, t++) {
        if (kind === 'series') lines.push(`${t},${(100 + 10 * Math.sin(t / 12) + (t % 7) / 10).toFixed(4)}`);
        else lines.push(`"${Array.from({ length: 8 + (t % 30) }, (_, k) => WORDS[(t * 31 + k * 7) % WORDS.length]).join(' ')}",${t % 2 ? 'spam' : 'ham'}`);
      }
      const chunk = `${lines.join('\n')}\n`;
      fs.writeSync(out, chunk);
      written += chunk.length;
    }
  } finally {
    fs.closeSync(out);
  }
  return written;
}

/** The probe's definition: the CSV through to a small model's first training step. */
export function probeDefinition(file: string, kind: 'text' | 'series'): PipelineDefinition {
  const stages =
    kind === 'series'
      ? [
          { stage: 'csv', path: file, columns: [{ name: 'value', type: 'number' }] },
          { stage: 'numeric-columns', columns: ['value'] },
          { stage: 'chronological-split', validation: 0.1, test: 0.1 },
          { stage: 'scale' },
          { stage: 'windows', lookBack: 24 },
          { stage: 'batch', batchSize: 64 },
          { stage: 'recurrent', cell: 'lstm', hiddenSize: 8 },
          { stage: 'train', epochs: 1 },
        ]
      : [
          { stage: 'csv', path: file },
          { stage: 'text-field', field: 'text', label: 'label', labels: ['ham', 'spam'] },
          { stage: 'tokenize', tokenizer: 'word' },
          { stage: 'random-split', validation: 0.1, test: 0.1 },
          { stage: 'vocabulary' },
          { stage: 'classify', maxLength: 40 },
          { stage: 'batch', batchSize: 64 },
          { stage: 'recurrent', cell: 'gru', hiddenSize: 8, embeddingSize: 4 },
          { stage: 'train', epochs: 1 },
        ];
  return { name: 'memory-probe', seed: 1, stages };
}

/**
 * This process's peak resident set, in bytes: VmHWM of /proc/self/status on Linux. Not
 * getrusage's maxRSS: Linux carries a process's maxRSS over from before its exec, so a probe
 * started by a large parent (a jest worker late in a full `npm test`, 300 MB and more) would
 * report the parent's peak instead of its own. maxRSS elsewhere.
 */
function peakRssBytes(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // not Linux: no /proc
  }
  return process.resourceUsage().maxRSS * 1024;
}

function main(): void {
  const [folder, kind, mb] = process.argv.slice(2);
  if (!folder || (kind !== 'text' && kind !== 'series') || !(Number(mb) > 0)) {
    process.stderr.write('usage: memory-probe.ts <folder> <text|series> <MB>\n');
    process.exit(2);
  }
  const file = `probe-${kind}-${mb}.csv`;
  const csv = path.join(folder, file);
  const bytes = fs.existsSync(csv) ? fs.statSync(csv).size : writeProbeCsv(csv, kind, Number(mb));
  (globalThis as { gc?: () => void }).gc?.();
  const baselineRss = process.memoryUsage().rss;
  const started = Date.now();
  const trace = process.env.LOOPFLOW_PROBE_TRACE === '1';
  const inMB = (bytes: number): string => `${Math.round(bytes / 1048576)} MB`;
  let heapAtData = 0;
  let samples: unknown;
  const subscription = runPipeline(probeDefinition(file, kind), { baseDir: folder, runsDir: path.join(folder, 'runs') }).subscribe({
    next: (event) => {
      if (trace && (event.type === 'stage' || event.type === 'data' || event.type === 'step')) {
        const m = process.memoryUsage();
        process.stderr.write(`${((Date.now() - started) / 1000).toFixed(1)} s ${event.type === 'stage' ? `${event.name} ${event.status}` : event.type}: rss ${inMB(m.rss)}, peak ${inMB(peakRssBytes())}, heap ${inMB(m.heapUsed)}, arrayBuffers ${inMB(m.arrayBuffers)}\n`);
      }
      if (event.type === 'data') {
        samples = event.samples;
        heapAtData = process.memoryUsage().heapUsed;
      }
      if (event.type === 'step') {
        subscription.unsubscribe();
        const peakRss = peakRssBytes();
        process.stdout.write(`${JSON.stringify({ kind, fileBytes: bytes, baselineRss, peakRss, heapAtData, samples, seconds: (Date.now() - started) / 1000 })}\n`);
      }
    },
    error: (e: Error) => {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 1;
    },
  });
}

if (require.main === module) main();
