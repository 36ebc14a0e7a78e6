import * as fs from 'fs';
import * as path from 'path';
import { LoopflowError } from '@loopflow/tensor';
import type { RunSummary } from '../run-folder/summary';
import type { ModelFile } from '../model/model-file';
import { formatMetric } from '../report/report';

/** What a run folder holds, read without loading the weights. */
export interface RunInspection {
  runDir: string;
  summary: RunSummary;
  /** model.json, when the run finished training. */
  model?: ModelFile;
  files: string[];
}

/**
 * Reads a run folder's summary (and model.json when present). Throws `RUN_INVALID` for a
 * folder that is not a run folder.
 *
 * @example console.log(formatInspection(inspectRun('runs/names-20250101-120000')));
 */
export function inspectRun(runDir: string): RunInspection {
  const summaryFile = path.join(runDir, 'summary.json');
  if (!fs.existsSync(summaryFile)) {
    throw new LoopflowError('RUN_INVALID', `${runDir} is not a run folder (no summary.json); pass a folder made by 'loopflow run', e.g. runs/<name>-<time>`);
  }
  const summary = readJson(summaryFile) as RunSummary;
  const modelFile = path.join(runDir, 'model.json');
  const model = fs.existsSync(modelFile) ? (readJson(modelFile) as ModelFile) : undefined;
  return { runDir, summary, ...(model ? { model } : {}), files: fs.readdirSync(runDir).sort() };
}

/** A JSON file of a run folder; `RUN_INVALID` naming it when it is a folder, unreadable or not JSON. */
function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LoopflowError('RUN_INVALID', `${file} ${code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code ?? (e as Error).message})`}; the run folder is damaged`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new LoopflowError('RUN_INVALID', `${file} is not valid JSON (${(e as Error).message}); the run folder is damaged (a run killed before its files were written atomically?)`);
  }
}

/** A run's summary as text for a terminal. */
export function formatInspection(ins: RunInspection): string {
  const s = ins.summary;
  const lines: string[] = [`${s.name}  (${ins.runDir})`, `  status      ${s.status}${s.error ? `: ${s.error.message.split('\n')[0]}` : ''}`];
  const add = (label: string, value: unknown): void => {
    if (value !== undefined && value !== null && value !== '') lines.push(`  ${label.padEnd(11)} ${value}`);
  };
  add('started', s.started);
  add('seconds', s.seconds?.toFixed(1));
  if (s.importedFrom) add('imported', `from ${s.importedFrom.file} (${s.importedFrom.format})`);
  else add('seed', s.seed);
  add('task', s.task);
  if (ins.model) {
    const a = ins.model.architecture;
    const o = a.options as Record<string, unknown>;
    const sizes = a.kind === 'recurrent' ? `${o.cell} hidden ${o.hiddenSize} x ${o.numLayers ?? 1} layer(s)${o.bidirectional ? ', bidirectional' : ''}` : a.kind === 'attention' ? `dModel ${o.dModel}, ${o.heads} heads, ${o.layers} layers` : `${(o.layers as unknown[]).length} layers`;
    add('model', `${a.kind} (${sizes}); ${ins.model.parameters} parameters`);
    if (ins.model.vocabulary) add('vocabulary', `${ins.model.vocabulary.tokens.length} tokens (${ins.model.tokenizer?.kind ?? 'char'})`);
  } else add('model', s.model);
  if (s.samples) add('samples', Object.entries(s.samples).map(([k, v]) => `${k} ${v}`).join(', '));
  add('epochs', s.epochs === undefined ? undefined : `${s.epochs} (${s.steps} steps)${s.stoppedEarly ? ', stopped early' : ''}`);
  if (s.best) add('best epoch', `${s.best.epoch} (${s.best.monitor} ${formatMetric(s.best.value)})`);
  const history = s.history ?? [];
  if (history.length) {
    const last = history[history.length - 1];
    add('last epoch', `train loss ${formatMetric(last.trainLoss)}${last.valid ? `, validation loss ${formatMetric(last.valid.loss)}` : ''}, lr ${formatMetric(last.lr)}`);
  }
  for (const [split, metrics] of Object.entries(s.metrics ?? {})) {
    add(split, Object.entries(metrics ?? {}).map(([k, v]) => `${k} ${formatMetric(v)}`).join(', '));
  }
  for (const baseline of s.baselines ?? []) {
    for (const [split, metrics] of Object.entries(baseline.metrics)) {
      add('baseline', `${baseline.name}, ${split}: ${Object.entries(metrics ?? {}).map(([k, v]) => `${k} ${formatMetric(v)}`).join(', ')}`);
    }
  }
  if (s.generated) add('generated', `${s.generated.count} samples, ${s.generated.novel} (${((100 * s.generated.novel) / Math.max(1, s.generated.count)).toFixed(1)}%) not in the training split: ${s.generated.examples.slice(0, 8).join(', ')}`);
  add('files', ins.files.join(', '));
  return lines.join('\n');
}
