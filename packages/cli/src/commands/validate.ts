import { formatProblems, planTrials } from '@loopflow/pipeline';
import type { Command } from './command';
import { EXIT } from '../io';
import { JSON_OPTION, loadChecked, MEMORY_LIMIT_OPTION, memoryLimitOf, problemJson } from './shared';
import { UsageError } from '../args';
import { JsonOutput } from '../json';

/** `loopflow validate <file>...`: checks definitions without running anything; the exit code is the worst of them. */
export const validateCommand: Command = {
  name: 'validate',
  usage: 'validate <file>... [--memory-limit <MB>] [--json]',
  summary: 'Check pipeline definitions (schema, stage order, options, files, search) without running them.',
  options: { 'memory-limit': MEMORY_LIMIT_OPTION, json: JSON_OPTION },
  async run(args, io) {
    if (args.positionals.length === 0) throw new UsageError('missing file', 'loopflow validate <file>...');
    const json = args.options.json ? new JsonOutput(io.stdout) : null;
    const memoryLimit = memoryLimitOf(args.options);
    let worst: number = EXIT.ok;
    const files: { file: string; ok: boolean }[] = [];
    for (const file of args.positionals) {
      const checked = loadChecked(file, io, memoryLimit);
      if ('problems' in checked) {
        worst = Math.max(worst, EXIT.usage);
        files.push({ file, ok: false });
        if (json) json.event({ type: 'validated', file, ok: false, problems: checked.problems.map((p) => problemJson(p, file)) });
        else io.stderr.write(`${formatProblems(checked.problems, file)}\n`);
        continue;
      }
      const d = checked.loaded.definition;
      const trials = d.search ? planTrials(d).trials.length : 0;
      files.push({ file, ok: true });
      if (json) json.event({ type: 'validated', file, ok: true, name: d.name, stages: d.stages.map((s) => s.stage), ...(d.search ? { trials } : {}) });
      else io.stdout.write(`ok: ${file}: '${d.name}', ${d.stages.length} stages (${d.stages.map((s) => s.stage).join(' -> ')})${d.search ? `; search: ${trials} trials` : ''}\n`);
    }
    return json ? json.result('validate', worst, { files }) : worst;
  },
};
