/**
 * The `browser` bench: the `cells` bench's character LM (one-hot 64 -> 128 units -> softmax 64,
 * mean cross-entropy, Adam, full BPTT over T = 64, batch 32) and batch-1 LSTM streaming, in
 * headless Chromium, loopflow beside TensorFlow.js's WASM backend in the same page.
 *
 *     npm run bench -- browser [--json] [--quick] [--cells lstm,gru,rnn] [--impl loopflow,tfjs-wasm] [--out DIR]
 *
 * The page (browser-page.ts) and its two workers (browser-loopflow-worker.ts,
 * browser-tfjs-worker.ts) are bundled by esbuild into a temporary folder and served with the
 * cross-origin isolation headers (tools/browser/serve.ts), TensorFlow.js's .wasm files from
 * node_modules/@tensorflow/tfjs-backend-wasm/dist at /tfjs/. Every case runs in a dedicated
 * Worker of its own; loopflow and tfjs each on 1 and 2 threads (tfjs: its SIMD build, and its
 * threaded SIMD build with `setThreadsCount(2)`). loopflow's ratio is to the better tfjs
 * configuration of the same case. The workloads, the data and the timing plans are the
 * `cells` bench's (cells-config.ts, cells-workload.ts, cells-loopflow.ts, cells-tfjs.ts).
 *
 * `--out DIR` writes results.jsonl (one line per case) and report.md (the table, the machine,
 * the command) there.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs, UsageError } from '@loopflow/benchmark';
import type { OptionSpec } from '@loopflow/benchmark';
import type { Bench } from './types';
import { BenchError } from './errors';
import { INFERENCE_CHUNK, ModeName, RECURRENT_CELLS, RecurrentCellName, STANDARD_SIZE, timingPlan } from './cells-config';
import { BROWSER_IMPLS, BROWSER_TARGET, BrowserCaseResult, BrowserCaseSpec, BrowserImpl } from './browser-config';
import { bundlePage } from '../browser/bundle';
import { launchChromium } from '../browser/chromium';
import { serveStatic } from '../browser/serve';

export const BROWSER_USAGE = [
  'usage: npm run bench -- browser [--json] [--quick] [--cells LIST] [--impl LIST] [--out DIR]',
  '  --quick    about a second per case (a smoke test, not a measurement)',
  '  --cells    recurrent cells to train, comma-separated: lstm,gru,rnn (default all); batch-1 streaming is LSTM',
  '  --impl     loopflow,tfjs-wasm (default both; ratios need both)',
  '  --out DIR  also write results.jsonl and report.md into DIR',
].join('\n');

/** The bench's options. */
export interface BrowserOptions {
  quick: boolean;
  cells: RecurrentCellName[];
  impls: BrowserImpl[];
  out?: string;
}

/** The options of the browser bench, for the shared parser (`parseArgs` of @loopflow/benchmark). */
export const BROWSER_OPTIONS: Record<string, OptionSpec> = {
  quick: { type: 'flag', description: 'about a second per case' },
  cells: { type: 'list', value: 'LIST', choices: RECURRENT_CELLS, description: 'recurrent cells to train' },
  impl: { type: 'list', value: 'LIST', choices: BROWSER_IMPLS, description: 'implementations' },
  out: { type: 'string', value: 'DIR', description: 'also write results.jsonl and report.md into DIR' },
  help: { type: 'flag', short: 'h', description: 'this text' },
};

/** Parses the arguments after `browser` (the shared parser); BenchError BENCH_OPTION naming the flag. */
export function parseBrowserOptions(args: readonly string[]): BrowserOptions & { help: boolean } {
  let parsed;
  try {
    parsed = parseArgs(args, BROWSER_OPTIONS);
  } catch (e) {
    throw e instanceof UsageError ? new BenchError('BENCH_OPTION', `${e.message}${e.hint ? `; ${e.hint}` : ''}`) : e;
  }
  if (parsed.positionals.length > 0) throw new BenchError('BENCH_OPTION', `unexpected argument '${parsed.positionals[0]}'; the browser bench takes only options (see --help)`);
  const o = parsed.options;
  const impls = o.impl as string[] | undefined;
  return {
    quick: Boolean(o.quick),
    cells: (o.cells as RecurrentCellName[] | undefined) ?? [...RECURRENT_CELLS],
    impls: impls ? BROWSER_IMPLS.filter((i) => impls.includes(i)) : [...BROWSER_IMPLS],
    ...(o.out !== undefined ? { out: o.out as string } : {}),
    help: Boolean(o.help),
  };
}

/** The cases in the order they run: per cell and mode, tfjs then loopflow, 1 then 2 threads. */
export function planBrowserCases(options: BrowserOptions, seed = 1): BrowserCaseSpec[] {
  const work: { cell: RecurrentCellName; mode: ModeName }[] = [
    ...options.cells.map((cell) => ({ cell, mode: 'train' as const })),
    { cell: 'lstm', mode: 'infer-b1' },
  ];
  return work.flatMap(({ cell, mode }) => options.impls.flatMap((impl) => [1, 2].map((threads) => ({
    impl, threads, cell, mode, size: STANDARD_SIZE, plan: timingPlan(impl, mode, options.quick), chunk: INFERENCE_CHUNK, seed,
  }))));
}

/** A result with its ratio to the better tfjs configuration of the same cell and mode. */
interface Judged extends BrowserCaseResult {
  vsBestTfjs?: number;
  targetMet?: boolean;
}

function judge(results: readonly BrowserCaseResult[]): Judged[] {
  return results.map((r) => {
    if (r.impl !== 'loopflow') return r;
    const tfjs = results.filter((t) => t.impl === 'tfjs-wasm' && t.cell === r.cell && t.mode === r.mode);
    if (tfjs.length === 0) return r;
    const vsBestTfjs = r.stepsPerSecond / Math.max(...tfjs.map((t) => t.stepsPerSecond));
    const targeted = r.cell === BROWSER_TARGET.cell && r.mode === BROWSER_TARGET.mode;
    return { ...r, vsBestTfjs, ...(targeted ? { targetMet: vsBestTfjs >= BROWSER_TARGET.ratio } : {}) };
  });
}

function table(results: readonly Judged[]): string[] {
  const header = ['cell', 'mode', 'impl', 'threads', 'steps/s', 'best steps/s', 'ms/iter', 'iters', 'vs best tfjs', 'loss'];
  const rows = results.map((r) => [
    r.cell, r.mode, r.impl, String(r.threads), r.stepsPerSecond.toFixed(0), r.bestStepsPerSecond.toFixed(0),
    (r.secondsPerIteration * 1000).toFixed(r.secondsPerIteration < 0.01 ? 3 : 1), String(r.iterations),
    r.vsBestTfjs === undefined ? '-' : `${r.vsBestTfjs.toFixed(1)}x${r.targetMet === undefined ? '' : r.targetMet ? ' (target 10x met)' : ' (target 10x NOT met)'}`,
    r.loss === undefined ? '-' : r.loss.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (row: string[]): string => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
}

function load(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}

export const browserBench: Bench = {
  description: "char-LM training (LSTM, GRU, RNN) and batch-1 streaming in headless Chromium: loopflow beside TensorFlow.js's WASM backend, 1 and 2 threads",
  usage: BROWSER_USAGE,
  async run(ctx) {
    const options = parseBrowserOptions(ctx.args);
    if (options.help) {
      ctx.log(BROWSER_USAGE);
      return;
    }
    const root = path.resolve(__dirname, '..', '..');
    const tfjsDist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-browser-bench-'));
    const here = (file: string): string => path.join(__dirname, file);
    const browser = await launchChromium();
    const loadBefore = load();
    const started = new Date().toISOString();
    const results: BrowserCaseResult[] = [];
    try {
      await bundlePage(dir, {
        'browser-page': here('browser-page.ts'),
        'browser-loopflow': here('browser-loopflow-worker.ts'),
        'browser-tfjs': here('browser-tfjs-worker.ts'),
      }, 'browser-page.js');
      const server = await serveStatic(dir, { mounts: { '/tfjs/': tfjsDist } });
      try {
        const page = await browser.newPage();
        await page.goto(server.url);
        const info = await page.evaluate(() => (globalThis as unknown as { browserBench: { pageInfo(): { userAgent: string; hardwareConcurrency: number; crossOriginIsolated: boolean } } }).browserBench.pageInfo());
        if (!info.crossOriginIsolated) throw new Error('browser bench: the page is not cross-origin isolated; threads cannot run');
        const { vocab, hidden, steps, batch } = STANDARD_SIZE;
        ctx.log(`browser: char LM, one-hot ${vocab} -> ${hidden} units -> softmax ${vocab}, mean cross-entropy, Adam, full BPTT T=${steps}, B=${batch}; batch-1 LSTM streaming${options.quick ? ' (--quick)' : ''}`);
        ctx.log(`Chromium ${browser.version()} (${info.hardwareConcurrency} logical cores reported), cross-origin isolated; ${os.cpus().length} cores, load average ${loadBefore}`);
        for (const spec of planBrowserCases(options)) {
          const result = await page.evaluate((s) => (globalThis as unknown as { browserBench: { runCase(s: BrowserCaseSpec): Promise<BrowserCaseResult> } }).browserBench.runCase(s), spec);
          results.push(result);
          ctx.log(`  ${spec.cell} ${spec.mode} ${spec.impl} ${spec.threads}t: ${result.stepsPerSecond.toFixed(0)} steps/s (${result.path})`);
        }
      } finally {
        await server.close();
      }
    } finally {
      await browser.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const judged = judge(results);
    const lines = table(judged);
    const loadAfter = load();
    ctx.log('');
    for (const line of lines) ctx.log(line);
    ctx.log(`load average before ${loadBefore}, after ${loadAfter}`);
    for (const r of judged) ctx.emit({ bench: 'browser', ...r });
    if (options.out) {
      const out = path.resolve(options.out);
      fs.mkdirSync(out, { recursive: true });
      fs.writeFileSync(path.join(out, 'results.jsonl'), judged.map((r) => JSON.stringify({ bench: 'browser', ...r })).join('\n') + '\n');
      const report = [
        `# browser bench, ${started} to ${new Date().toISOString()}`,
        '',
        `Command: \`npm run bench -- browser ${ctx.args.join(' ')}\``,
        '',
        `Chromium ${browser.version()} (headless, Debian), ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), load average before ${loadBefore}, after ${loadAfter}.`,
        '',
        ...lines,
        '',
        'Paths:',
        '',
        ...judged.map((r) => `- ${r.cell} ${r.mode} ${r.impl} ${r.threads}t: ${r.path}`),
        '',
      ];
      fs.writeFileSync(path.join(out, 'report.md'), report.join('\n'));
      ctx.log(`wrote ${path.relative(root, path.join(out, 'results.jsonl'))} and report.md`);
    }
  },
};
