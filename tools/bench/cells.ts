/**
 * cells bench: training throughput of a character language model - one-hot input of 64
 * symbols, one recurrent layer of 128 units, a softmax head over 64, mean cross-entropy,
 * Adam, full BPTT over T = 64 steps, batch B = 32 - for LSTM, GRU and RNN, in loopflow and
 * side by side in TensorFlow.js (CPU and WebAssembly backends); and batch-1 streaming
 * inference of the LSTM (one step at a time, state kept). See docs/benchmarks.md.
 *
 *     npm run bench -- cells [--json] [--quick] [--cells lstm,gru,rnn]
 *                            [--impl loopflow,loopflow-tokens,tfjs-wasm,tfjs-cpu] [--mode train,infer-b1]
 *                            [--threads N]   (LOOPFLOW_THREADS of the loopflow cases)
 *                            [--pytorch]     (PyTorch's anchors in the same sitting; see cells-pytorch.ts)
 *                            [--hidden N]    (units of the recurrent layer; default 128, the
 *                                             issue's size, the only one the targets judge)
 *
 * Throughput: training is trained time steps per second = T * B / (seconds of one training
 * step), the same for every implementation; inference is streamed steps per second. Each
 * case warms up, then times iterations one by one; the headline is the median iteration, the
 * fastest is reported beside it (see cells-timing.ts for why not the fastest).
 * Each case (impl x cell x mode) runs in its own child process (cells-worker.ts), so its peak
 * RSS is its own and one implementation's heap does not slow another; cases run one at a
 * time, interleaved by cell so that changes in machine load hit every implementation alike.
 */
import { fork } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import type { Bench, BenchContext } from './types';
import { ATTENTION_CELLS, ATTENTION_SHAPES, CELLS, CaseResult, CaseSpec, CellName, IMPLS, RECURRENT_CELLS, isAttention, INFERENCE_CHUNK, ImplName, ModeName, ModelSize, STANDARD_SIZE, timingPlan } from './cells-config';
import { loadWarning, resultLines, resultTable, targetLines } from './cells-report';
import { TorchResult, pytorchTable, runTorchCase, torchCases, torchVersion } from './cells-pytorch';
import { BenchError } from './errors';
import { parseArgs, UsageError } from '@loopflow/benchmark';
import type { OptionSpec, ParsedArgs } from '@loopflow/benchmark';

const MODES: readonly ModeName[] = ['train', 'infer-b1'];
/** Why tfjs-wasm runs on one thread only (checked with @tensorflow/tfjs-backend-wasm 4.22 on Node 20). */
export const TFJS_WASM_THREADS_NOTE =
  "1 thread: tfjs-backend-wasm 4.22 cannot run multi-threaded in Node (WASM_HAS_MULTITHREAD_SUPPORT is hard-wired false under Node, tfjs issue #3830; forced on, its pthread workers start from blob: URLs, which Node's Worker rejects with ERR_WORKER_PATH), so setThreadsCount(2) has no effect; the 2-thread run and the comparison with the better of 1 and 2 threads are the browser bench's, where tfjs-wasm can start its threads";
/** `--cells attention` stands for both attention cases. */
const CELL_CHOICES: readonly string[] = [...CELLS, 'attention'];

/** The usage text (`--help`). */
export const USAGE = [
  'usage: npm run bench -- cells [--json] [--quick] [--cells LIST] [--impl LIST] [--mode LIST] [--threads N] [--hidden N] [--pytorch]',
  '  --cells    lstm,gru,rnn (default), attention-t64, attention-t1024, attention (= both attention cases)',
  '  --impl     loopflow (dense one-hot input; ratios and targets use it), loopflow-tokens (token ids), tfjs-wasm, tfjs-cpu (default: all)',
  '             the attention cases run impl loopflow only',
  '  --mode     train, infer-b1 (batch-1 LSTM streaming; loopflow and tfjs) (default: both)',
  '  --threads  LOOPFLOW_THREADS of the loopflow cases (1-8)',
  '  --hidden   units of the recurrent layer / attention width (default 128; the targets judge 128 only)',
  '  --quick    about a second per case (a smoke test, not a measurement)',
  '  --pytorch  also run PyTorch\'s anchor scripts (tools/bench/pytorch; /usr/bin/python3 with torch) and print the ratios',
  '  --json     one JSON line per result on stdout',
].join('\n');
/** Largest `--hidden`: an LSTM of 4096 units has 64 M recurrent weights (256 MB). */
const MAX_HIDDEN = 4096;

/** The parsed options of the cells bench. */
export interface CellsOptions {
  cells: CellName[];
  impls: ImplName[];
  modes: ModeName[];
  quick: boolean;
  /** `LOOPFLOW_THREADS` for the loopflow cases (threads of large wasm products); undefined = inherit. */
  threads?: number;
  /** Units of the recurrent layer instead of the standard 128 (the targets judge only 128). */
  hidden?: number;
  /** Also run PyTorch's anchor scripts (tools/bench/pytorch) and print its figures and the ratios. */
  pytorch: boolean;
  /** `--help`: print the usage and run nothing. */
  help: boolean;
}

/** The options of the cells bench, for the shared parser. */
export const CELLS_OPTIONS: Record<string, OptionSpec> = {
  quick: { type: 'flag', description: 'about a second per case' },
  cells: { type: 'list', value: 'LIST', choices: CELL_CHOICES, description: 'cells' },
  impl: { type: 'list', value: 'LIST', choices: IMPLS, description: 'implementations' },
  mode: { type: 'list', value: 'LIST', choices: MODES, description: 'modes' },
  threads: { type: 'number', value: 'N', description: 'LOOPFLOW_THREADS of the loopflow cases (1-8)' },
  hidden: { type: 'string', value: 'N', description: 'units of the recurrent layer' },
  pytorch: { type: 'flag', description: "also run PyTorch's anchor scripts" },
  help: { type: 'flag', short: 'h', description: 'this text' },
};

/** A usage error of a bench as a BenchError (code BENCH_OPTION): the message and the hint. */
export function benchOptionError(e: unknown): unknown {
  return e instanceof UsageError ? new BenchError('BENCH_OPTION', `${e.message}${e.hint ? `; ${e.hint}` : ''}`) : e;
}

/**
 * Reads the bench's arguments (without `--json`) with the shared parser of @loopflow/benchmark.
 * Throws BenchError BENCH_OPTION naming the flag and what was expected.
 *
 * @example parseCellsOptions(['--cells', 'lstm', '--quick']) // { cells: ['lstm'], impls: all, modes: all, quick: true }
 */
export function parseCellsOptions(args: readonly string[]): CellsOptions {
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(args, CELLS_OPTIONS);
  } catch (e) {
    throw benchOptionError(e);
  }
  const o = parsed.options;
  if (parsed.positionals.length > 0) throw new BenchError('BENCH_OPTION', `unexpected argument '${parsed.positionals[0]}'; the cells bench takes only options (see --help)`);
  const threads = o.threads as number | undefined;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 8)) throw new BenchError('BENCH_OPTION', `option '--threads' needs a whole number from 1 to 8, got ${threads}`);
  const hiddenText = o.hidden as string | undefined;
  const hidden = hiddenText === undefined ? undefined : Number(hiddenText);
  if (hidden !== undefined && (hiddenText?.trim() === '' || !Number.isInteger(hidden) || hidden < 1 || hidden > MAX_HIDDEN)) {
    throw new BenchError('BENCH_OPTION', `option '--hidden' ${JSON.stringify(hiddenText)}: expected a whole number of units from 1 to ${MAX_HIDDEN} (default ${STANDARD_SIZE.hidden})`);
  }
  return {
    ...(threads !== undefined ? { threads } : {}),
    ...(hidden !== undefined ? { hidden } : {}),
    cells: expandCells(o.cells as string[] | undefined) ?? [...RECURRENT_CELLS],
    impls: (o.impl as ImplName[] | undefined) ?? [...IMPLS],
    modes: (o.mode as ModeName[] | undefined) ?? [...MODES],
    quick: Boolean(o.quick),
    pytorch: Boolean(o.pytorch),
    help: Boolean(o.help),
  };
}

/** `attention` -> both attention cases; duplicates dropped, order kept. */
function expandCells(items: string[] | undefined): CellName[] | undefined {
  if (items === undefined) return undefined;
  const out: CellName[] = [];
  for (const item of items) for (const cell of item === 'attention' ? ATTENTION_CELLS : [item as CellName]) if (!out.includes(cell)) out.push(cell);
  return out;
}

/** The model size of a case: the standard one, with `--hidden` units if given, and T and B of an attention case. */
export function caseSize(options: CellsOptions, cell: CellName = 'lstm'): ModelSize {
  const size = options.hidden === undefined ? STANDARD_SIZE : { ...STANDARD_SIZE, hidden: options.hidden };
  return isAttention(cell) ? { ...size, ...ATTENTION_SHAPES[cell] } : size;
}

/** Whether the issue's targets apply (they are set for the standard size). */
function judged(options: CellsOptions): boolean {
  return caseSize(options).hidden === STANDARD_SIZE.hidden;
}

/**
 * The cases to run, interleaved (for each cell and mode, every impl in turn). Inference is
 * LSTM only (impl loopflow-tokens is a training input); the attention cases are loopflow only.
 */
export function planCases(options: CellsOptions, seed = 1): CaseSpec[] {
  const cases: CaseSpec[] = [];
  const groups: [CellName, ModeName][] = [];
  if (options.modes.includes('train')) for (const cell of options.cells) groups.push([cell, 'train']);
  if (options.modes.includes('infer-b1') && options.cells.includes('lstm')) groups.push(['lstm', 'infer-b1']);
  for (const [cell, mode] of groups) {
    for (const impl of options.impls) {
      if (impl === 'loopflow-tokens' && mode !== 'train') continue; // streaming is impl loopflow's
      if (isAttention(cell) && impl !== 'loopflow') continue; // no tfjs or token side for attention
      cases.push({ impl, cell, mode, size: caseSize(options, cell), plan: timingPlan(impl, mode, options.quick), seed });
    }
  }
  return cases;
}

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs one case in a child process (ts-node, the repo's tsconfig; `env` added) and returns its result. */
export function runCaseInChild(spec: CaseSpec, env: Record<string, string> = {}): Promise<CaseResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'cells-worker.ts'), [JSON.stringify(spec)], {
      cwd: ROOT,
      execArgv: ['-r', 'ts-node/register'],
      env: { ...process.env, ...env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let message: { result?: CaseResult; error?: string } | undefined;
    child.on('message', (m) => (message = m as typeof message));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (message?.result) resolve(message.result);
      else {
        const why = message?.error ?? `exited with ${signal ?? `code ${code}`} and no result`;
        reject(new Error(`${why}\n--- output of the child ---\n${output.trim().split('\n').slice(-30).join('\n')}`));
      }
    });
  });
}

/** `--pytorch`: PyTorch's side of the planned cases, after loopflow's (a clear note and nothing else without torch). */
async function runPytorch(ctx: BenchContext, cases: readonly CaseSpec[], quick: boolean, failed: string[]): Promise<TorchResult[]> {
  const version = await torchVersion();
  if ('missing' in version) {
    ctx.log(`  pytorch: skipped: ${version.missing}`);
    return [];
  }
  const out: TorchResult[] = [];
  for (const c of torchCases(cases, quick)) {
    const name = `pytorch ${version.version} ${c.cell} ${c.mode}`;
    try {
      const r = await runTorchCase(c);
      out.push(r);
      ctx.log(`  ${name.padEnd(26)} ${Math.round(r.stepsPerSecond).toLocaleString('en-US').padStart(9)} steps/s  (OPENBLAS_NUM_THREADS=1, torch threads 2)`);
    } catch (err) {
      failed.push(name);
      ctx.log(`  ${name.padEnd(26)} FAILED: ${(err as Error).message}`);
    }
  }
  return out;
}

function machineLine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  return `machine: ${cpus.length} x ${cpus[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, load average ${load}`;
}

/** The cells bench (see the file comment). */
export const cellsBench: Bench = {
  description: 'char-LM training steps/s (LSTM, GRU, RNN) and batch-1 LSTM streaming vs TensorFlow.js',
  usage: USAGE,
  async run(ctx: BenchContext) {
    const options = parseCellsOptions(ctx.args);
    if (options.help) {
      ctx.log(USAGE);
      return;
    }
    const cases = planCases(options);
    const { vocab, hidden, steps, batch } = caseSize(options);
    ctx.log(`cells: char LM, one-hot ${vocab} -> ${hidden} units -> softmax ${vocab}, mean cross-entropy, Adam, full BPTT T=${steps}, B=${batch}${options.quick ? ' (--quick)' : ''}`);
    ctx.log(`train steps/s = T*B / median seconds of a timed training step (${steps * batch} trained time steps per step, every impl; 'best' = of the fastest step)`);
    ctx.log(`infer-b1 = batch-1 LSTM steps/s, one step at a time, state kept (chunks of ${INFERENCE_CHUNK} steps timed)`);
    ctx.log(`each case in its own child process; ratio = this row's steps/s over that impl's for the same cell and mode`);
    ctx.log(`loopflow = dense one-hot input [T,B,V] (runRecurrent; the same work as tfjs: targets judged on it); loopflow-tokens = token ids (runRecurrentTokens)`);
    ctx.log(`tfjs-wasm: ${TFJS_WASM_THREADS_NOTE}`);
    if (options.cells.some(isAttention)) {
      ctx.log(`attention-t64 / attention-t1024: one-hot ${vocab} -> Linear ${hidden} -> causal 1-head attention + residual -> Linear ${vocab}, mean cross-entropy, Adam, T=64 B=32 / T=1024 B=8 (loopflow only, @loopflow/attention: fused or composed, see path)`);
    }
    ctx.log(machineLine());
    const results: CaseResult[] = [];
    const failed: string[] = [];
    const started = Date.now();
    for (const spec of cases) {
      const name = `${spec.impl} ${spec.cell} ${spec.mode}`;
      try {
        const env: Record<string, string> = spec.impl.startsWith('loopflow') && options.threads !== undefined ? { LOOPFLOW_THREADS: String(options.threads) } : {};
        const r = await runCaseInChild(spec, env);
        results.push(r);
        ctx.log(`  ${name.padEnd(26)} ${Math.round(r.stepsPerSecond).toLocaleString('en-US').padStart(9)} steps/s  (${r.iterations} timed, ${Math.round(r.peakRssMb)} MB)`);
      } catch (err) {
        failed.push(name);
        ctx.log(`  ${name.padEnd(26)} FAILED: ${(err as Error).message}`);
      }
    }
    const torch = options.pytorch ? await runPytorch(ctx, cases, options.quick, failed) : [];
    ctx.log('');
    for (const line of resultTable(results)) ctx.log(line);
    if (torch.length > 0) {
      ctx.log('');
      ctx.log('PyTorch, same sitting (ratio = loopflow steps/s over PyTorch\'s):');
      for (const line of pytorchTable(results, torch)) ctx.log(`  ${line}`);
    }
    const targets = judged(options) ? targetLines(results) : [];
    if (!judged(options)) {
      ctx.log('');
      ctx.log(`targets: set for ${STANDARD_SIZE.hidden} units, not judged at --hidden ${hidden}`);
    } else if (targets.length > 0) {
      ctx.log('');
      ctx.log('targets (loopflow, ratios in this run):');
      for (const line of targets) ctx.log(line);
    }
    const warning = loadWarning(results);
    if (warning.length > 0) {
      ctx.log('');
      for (const line of warning) ctx.log(line);
    }
    ctx.log('');
    ctx.log(`${machineLine()}; bench took ${((Date.now() - started) / 1000).toFixed(0)} s`);
    for (const line of resultLines(results, judged(options))) ctx.emit({ ...line, hidden });
    for (const t of torch) {
      const mine = results.find((r) => r.impl === 'loopflow' && r.cell === t.cell && r.mode === t.mode);
      ctx.emit({ bench: 'cells', impl: 'pytorch', cell: t.cell, mode: t.mode, steps_per_s: Math.round(t.stepsPerSecond), hidden, ...(mine ? { loopflow_vs_pytorch: Math.round((mine.stepsPerSecond / t.stepsPerSecond) * 100) / 100 } : {}) });
    }
    if (failed.length > 0) throw new Error(`${failed.length} of ${cases.length} cases failed: ${failed.join(', ')} (their output is above)`);
  },
};
