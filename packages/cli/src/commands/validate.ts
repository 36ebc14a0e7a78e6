import { planTrials } from '@loopflow/pipeline';
import type { Command } from './command';
import { EXIT } from '../io';
import { loadOrReport, onePath } from './shared';

/** `loopflow validate <file>`: checks a definition without running anything. */
export const validateCommand: Command = {
  name: 'validate',
  usage: 'validate <file>',
  summary: 'Check a pipeline definition (schema, stage order, options, files, search) without running it.',
  options: {},
  async run(args, io) {
    const file = onePath(args.positionals, 'file', 'validate');
    const loaded = loadOrReport(file, io);
    if (!loaded) return EXIT.usage;
    const d = loaded.definition;
    const trials = d.search ? planTrials(d).trials.length : 0;
    io.stdout.write(`ok: ${file}: '${d.name}', ${d.stages.length} stages (${d.stages.map((s) => s.stage).join(' -> ')})${d.search ? `; search: ${trials} trials` : ''}\n`);
    return EXIT.ok;
  },
};
