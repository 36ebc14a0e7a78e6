import * as path from 'path';
import { forecastAhead, forecastReach, formatInspection, generateText, inspectRun, loadModel } from '@loopflow/pipeline';
import type { Command } from './command';
import { EXIT } from '../io';
import { errorJson, JSON_OPTION, messageOf, onePath } from './shared';
import { JsonOutput } from '../json';
import { num } from '../format';
import { UsageError } from '../args';

/** `loopflow inspect <run folder>`: a run's summary; samples or a forecast from its model. */
export const inspectCommand: Command = {
  name: 'inspect',
  usage: 'inspect <run folder> [--samples <n>] [--prompt <text>] [--temperature <t>] [--max-length <n>] [--forecast <steps>] [--seed <n>] [--json]',
  summary: "Print a run's summary; load its model to generate samples (language models) or a forecast (series).",
  options: {
    samples: { type: 'number', value: '<n>', description: 'Generate n samples from a language model.' },
    prompt: { type: 'string', value: '<text>', description: 'Text the samples start with.' },
    temperature: { type: 'number', value: '<t>', description: 'Sampling temperature (default 1; 0: the likeliest token).' },
    'max-length': { type: 'number', value: '<n>', description: 'Most tokens per sample (default 100).' },
    forecast: { type: 'number', value: '<steps>', description: 'Forecast this many rows after the end of the series (a model trained with targetSteps "last" gives the one row horizon steps ahead, and says so).' },
    seed: { type: 'number', value: '<n>', description: 'Seed of the sampling (default 0).' },
    json: JSON_OPTION,
  },
  async run(args, io) {
    const runDir = path.resolve(io.cwd, onePath(args.positionals, 'run folder', 'inspect'));
    let inspection;
    try {
      inspection = inspectRun(runDir);
    } catch (e) {
      throw new UsageError(messageOf(e));
    }
    const samples = args.options.samples as number | undefined;
    const steps = args.options.forecast as number | undefined;
    for (const [name, value] of [['samples', samples], ['forecast', steps]] as const) {
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new UsageError(`--${name} must be a whole number >= 1, got ${value}`);
    }
    const task = inspection.model?.architecture.task;
    const kind = task === 'language-model' ? 'language' : task === 'forecast' ? 'forecasting' : 'classification';
    if (task && samples !== undefined && task !== 'language-model') throw new UsageError(`--samples needs a language model; this run trained a ${kind} model`, task === 'forecast' ? 'use --forecast <steps>' : undefined);
    if (task && steps !== undefined && task !== 'forecast') throw new UsageError(`--forecast needs a forecasting model; this run trained a ${kind} model`, task === 'language-model' ? 'use --samples <n>' : undefined);
    const json = args.options.json ? new JsonOutput(io.stdout) : null;
    const output: Record<string, unknown> = { runDir, summary: inspection.summary, files: inspection.files, ...(inspection.model ? { model: inspection.model } : {}) };
    if (!json) io.stdout.write(`${formatInspection({ ...inspection, runDir: path.relative(io.cwd, runDir) || '.' })}\n`);
    if (samples === undefined && steps === undefined) return json ? json.result('inspect', EXIT.ok, output) : EXIT.ok;
    if (!inspection.model) {
      const message = `${path.relative(io.cwd, runDir)} has no model (status ${inspection.summary.status}); nothing to generate from`;
      if (json) return json.result('inspect', EXIT.failed, { ...output, error: { code: 'NO_MODEL', message } });
      io.stderr.write(`${message}\n`);
      return EXIT.failed;
    }
    try {
      const { model, artifacts } = loadModel(runDir);
      if (samples !== undefined) {
        if (!artifacts.vocabulary) throw new Error('model.json has no vocabulary');
        const texts = generateText(model, artifacts.vocabulary, artifacts.tokenizer, {
          count: samples,
          maxLength: (args.options['max-length'] as number | undefined) ?? 100,
          temperature: (args.options.temperature as number | undefined) ?? 1,
          prompt: args.options.prompt as string | undefined,
          seed: (args.options.seed as number | undefined) ?? 0,
        });
        output.samples = texts;
        if (!json) io.stdout.write(`samples:\n${texts.map((t) => `  ${t}`).join('\n')}\n`);
      }
      if (steps !== undefined) {
        const series = artifacts.series;
        if (!series) throw new Error('model.json has no series layout; the run was not made with a windows stage');
        const rows = forecastAhead(model, series, artifacts.scaler, steps);
        const columns = series.targetColumns.map((c) => artifacts.columns?.[c] ?? `column ${c}`);
        // fewer rows than asked: say why, and what to train for more
        const reach = forecastReach(series);
        const note = rows.length < steps ? `${rows.length} of the ${steps} rows asked: ${reach.why}; ${reach.instead}` : undefined;
        output.forecast = { columns, rows, ...(note ? { note } : {}) };
        if (!json) io.stdout.write(`forecast (${columns.join(', ')}):\n${rows.map((r) => `  +${r.step}  ${r.values.map(num).join('  ')}`).join('\n')}\n${note ? `note: ${note}\n` : ''}`);
      }
    } catch (e) {
      if (json) return json.result('inspect', EXIT.failed, { ...output, error: errorJson(e) });
      io.stderr.write(`inspect failed: ${messageOf(e)}\n`);
      return EXIT.failed;
    }
    return json ? json.result('inspect', EXIT.ok, output) : EXIT.ok;
  },
};
