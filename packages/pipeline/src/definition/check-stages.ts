import type { StageRegistry } from '../registry/registry';
import { DATA_KINDS, DataKind } from '../vocabulary/kinds';
import type { StageDefinition } from '../vocabulary/stage';
import type { Task } from '../vocabulary/prepared';
import type { DefinitionProblem } from './problems';
import { listChoices } from '../vocabulary/suggest';

/** What the kind check learned about each stage. */
export interface StagePlan {
  index: number;
  stage: StageDefinition<any>;
  /** The kind it receives. */
  input: DataKind;
  /** The task known from earlier stages (or this one). */
  task?: Task;
}

const describeKind = (kind: DataKind): string => `${kind} (${DATA_KINDS[kind]})`;

function between(registry: StageRegistry, from: DataKind, to: readonly DataKind[]): string[] {
  return registry
    .list()
    .filter((s) => s.input.includes(from) && (s.output === 'same' ? to.includes(from) : to.includes(s.output)))
    .map((s) => s.name);
}

/**
 * Checks the order of stages: each stage's input kind must fit what the stage before gives
 * (a source first), stages that fit on the training split come after a split, and the
 * pipeline reaches a trained model. Stages with unknown names are skipped (reported by the
 * schema); the kinds after them are not checked.
 */
export function checkStages(entries: readonly unknown[], registry: StageRegistry): { problems: DefinitionProblem[]; plans: StagePlan[] } {
  const problems: DefinitionProblem[] = [];
  const plans: StagePlan[] = [];
  let kind: DataKind | null = 'none';
  let previous = 'the start';
  let task: Task | undefined;
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const name = (entry as { stage?: unknown })?.stage;
    const stage = typeof name === 'string' ? registry.get(name) : undefined;
    if (!stage) {
      kind = null;
      return;
    }
    const path = `/stages/${index}/stage`;
    if (kind !== null && !stage.input.includes(kind)) {
      const options = between(registry, kind, stage.input);
      const isSource = stage.input.includes('none');
      problems.push({
        code: 'KIND_MISMATCH',
        path,
        message: isSource
          ? `'${stage.name}' is a source: it starts a pipeline and reads nothing, but it follows ${previous}`
          : kind === 'none'
            ? `a pipeline starts with a source, but '${stage.name}' reads ${stage.input.join(' | ')}`
            : `'${stage.name}' reads ${stage.input.join(' | ')}, but ${previous} gives ${kind}`,
        expected: kind === 'none' ? 'a source stage (csv, lines, json-lines, inline, first-names, co2, spam-assassin)' : `a stage that reads ${describeKind(kind)}`,
        found: `'${stage.name}' (reads ${stage.input.map((k) => k).join(' | ')})`,
        hint: isSource
          ? 'a pipeline has one source, first'
          : options.length
            ? `put ${listChoices(options)} between them`
            : `reorder the stages: '${stage.name}' needs ${stage.input.map(describeKind).join(' or ')} before it`,
      });
    }
    for (const required of stage.requires ?? []) {
      if (!seen.has(required)) {
        problems.push({
          code: 'PIPELINE_SHAPE',
          path,
          message: `'${stage.name}' is fitted on the training split, so a ${required} stage must come before it`,
          hint: `move a ${required} stage (random-split, chronological-split) before '${stage.name}'; fitting on all the data would leak the validation and test splits into training`,
        });
      }
    }
    if (stage.task) task = stage.task;
    plans.push({ index, stage, input: kind ?? stage.input[0], task });
    seen.add(stage.category);
    kind = stage.output === 'same' ? (kind ?? stage.input[0]) : stage.output;
    previous = `'${stage.name}'`;
  });
  if (kind !== null && entries.length > 0) {
    const order: DataKind[] = ['none', 'records', 'texts', 'tokens', 'ids', 'rows', 'samples', 'batches', 'model'];
    if (order.includes(kind)) {
      const next = registry.list().filter((s) => s.input.includes(kind as DataKind)).map((s) => s.name);
      problems.push({
        code: 'PIPELINE_SHAPE',
        path: '/stages',
        message: `the pipeline ends with ${previous}, which gives ${kind}; a run needs a model and a train stage`,
        expected: 'stages up to a trained model (… batch, a model, train, evaluate)',
        hint: next.length ? `continue with ${listChoices(next)}` : undefined,
      });
    }
  }
  return { problems, plans };
}
