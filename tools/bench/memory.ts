/**
 * memory bench (issue 16): the peak RSS of a pipeline run on a generated CSV, text
 * classification and/or a one-column series, each in a process of its own
 * (packages/pipeline/src/testing/memory-probe.ts: the CSV through to the first training step).
 *
 *     npm run bench -- memory [--json] [--kinds text,series] [--mb 200] [--dir /tmp] [--out docs/results/issue16-memory]
 *
 * The CSV is written into --dir once (probe-<kind>-<MB>.csv, reused after; never commit it).
 * The target: under 500 MB peak RSS for a 200 MB CSV. With --out, writes results.json (the
 * probe's figures, the per-stage trace, the command, the machine's load) there.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Bench, BenchContext } from './types';
import { parseArgs, UsageError } from '@loopflow/benchmark';
import type { OptionSpec } from '@loopflow/benchmark';
import { BenchError } from './errors';

const ROOT = path.resolve(__dirname, '..', '..');
const PROBE = path.join(ROOT, 'packages', 'pipeline', 'src', 'testing', 'memory-probe.ts');
/** The peak RSS a 200 MB CSV run must stay under. */
const TARGET_BYTES = 500 * 1024 * 1024;

export const MEMORY_USAGE = [
  'usage: npm run bench -- memory [--json] [--kinds text,series] [--mb 200] [--dir /tmp] [--out FOLDER]',
  '  --kinds LIST  text (a text and a label per row, word tokens, a GRU classifier) and/or series (one column, windows of 24, an LSTM); default both',
  '  --mb N        size of the generated CSV in MB (default 200)',
  '  --dir DIR     where the CSV is written once and reused (default the system temp folder); never commit it',
  '  --out FOLDER  also write results.json there (the figures, the per-stage trace, the command and the load)',
  '  --json        one JSON line per result on stdout',
].join('\n');

const OPTIONS: Record<string, OptionSpec> = {
  kinds: { type: 'list', value: 'LIST', choices: ['text', 'series'], description: 'CSV kinds' },
  mb: { type: 'number', value: 'N', description: 'CSV size in MB' },
  dir: { type: 'string', value: 'DIR', description: 'where the CSV goes' },
  out: { type: 'string', value: 'FOLDER', description: 'where results.json goes' },
  help: { type: 'flag', short: 'h', description: 'this text' },
};

interface ProbeResult {
  kind: 'text' | 'series';
  fileBytes: number;
  baselineRss: number;
  peakRss: number;
  heapAtData: number;
  samples: Record<string, number>;
  seconds: number;
}

/** Runs the probe once in a child process; its figures and its per-stage trace. */
function probe(kind: 'text' | 'series', mb: number, dir: string): { result: ProbeResult; trace: string[] } {
  const args = ['--expose-gc', '-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', PROBE, dir, kind, String(mb)];
  let stdout: string;
  const traceFile = path.join(dir, `probe-${kind}-${mb}.trace`);
  try {
    stdout = execFileSync(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.base.json'), LOOPFLOW_PROBE_TRACE: '1' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', fs.openSync(traceFile, 'w')],
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (e) {
    throw new BenchError('BENCH_CASE', `memory: the ${kind} probe failed (${(e as Error).message.split('\n')[0]}); its stderr is in ${traceFile}`);
  }
  const trace = fs.readFileSync(traceFile, 'utf8').split('\n').filter(Boolean);
  const line = stdout.trim().split('\n').pop() ?? '';
  return { result: JSON.parse(line) as ProbeResult, trace };
}

const MB = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MB`;

export const memoryBench: Bench = {
  description: 'peak RSS of a run on a generated 200 MB CSV (text and series), to its first training step',
  usage: MEMORY_USAGE,
  run(context: BenchContext) {
    let parsed;
    try {
      parsed = parseArgs(context.args, OPTIONS);
    } catch (e) {
      throw e instanceof UsageError ? new BenchError('BENCH_OPTION', `${e.message}${e.hint ? `; ${e.hint}` : ''}`) : e;
    }
    if (parsed.options.help) {
      context.log(MEMORY_USAGE);
      return;
    }
    if (parsed.positionals.length > 0) throw new BenchError('BENCH_OPTION', `unexpected argument '${parsed.positionals[0]}'; the memory bench takes only options (see --help)`);
    const mb = (parsed.options.mb as number | undefined) ?? 200;
    if (!Number.isInteger(mb) || mb < 1 || mb > 4096) throw new BenchError('BENCH_OPTION', `option '--mb': ${mb} is not a whole number of MB from 1 to 4096; e.g. --mb 200`);
    const kinds = ((parsed.options.kinds as string[] | undefined) ?? ['text', 'series']) as ('text' | 'series')[];
    const dir = path.resolve(String(parsed.options.dir ?? os.tmpdir()));
    const load = os.loadavg();
    context.log(`memory bench: ${kinds.join(', ')} CSV of ${mb} MB in ${dir}; load average ${load.map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
    context.log('kind     file      samples (train/val/test)       baseline RSS  peak RSS  growth    heap at data  seconds  under 500 MB');
    const results: (ProbeResult & { trace: string[] })[] = [];
    for (const kind of kinds) {
      const { result, trace } = probe(kind, mb, dir);
      results.push({ ...result, trace });
      const s = result.samples;
      context.log(
        `${kind.padEnd(8)} ${MB(result.fileBytes).padEnd(9)} ${`${s.train}/${s.validation}/${s.test}`.padEnd(30)} ${MB(result.baselineRss).padEnd(13)} ${MB(result.peakRss).padEnd(9)} ${MB(result.peakRss - result.baselineRss).padEnd(9)} ${MB(result.heapAtData).padEnd(13)} ${result.seconds.toFixed(0).padEnd(8)} ${result.peakRss < TARGET_BYTES ? 'yes' : 'no'}`,
      );
      context.emit({ bench: 'memory', ...result, underTarget: result.peakRss < TARGET_BYTES });
    }
    if (parsed.options.out !== undefined) {
      const out = path.resolve(String(parsed.options.out));
      fs.mkdirSync(out, { recursive: true });
      const command = `npm run bench -- memory --kinds ${kinds.join(',')} --mb ${mb}${parsed.options.out !== undefined ? ` --out ${path.relative(ROOT, out) || '.'}` : ''}`;
      const file = path.join(out, 'results.json');
      fs.writeFileSync(file, `${JSON.stringify({ command, date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, loadAverage: load, targetPeakRss: TARGET_BYTES, results }, null, 2)}\n`);
      context.log(`wrote ${path.relative(process.cwd(), file)}`);
    }
  },
};
