import type { StageRegistry } from '../registry/registry';
import { STAGE_CATEGORIES, JsonSchema, StageDefinition } from '../vocabulary/stage';
import { DATA_KINDS } from '../vocabulary/kinds';
import { composePipelineSchema } from '../registry/schema';
import { SEARCH_PARAMETER_SCHEMA, SEARCH_SCHEMA } from '../registry/search-schema';

type Schema = Record<string, any>;

/** The published schema file's text (JSON, 2-space indent, final newline). */
export function schemaFileText(registry: StageRegistry): string {
  return `${JSON.stringify(composePipelineSchema(registry), null, 2)}\n`;
}

function typeOf(s: Schema): string {
  if ('const' in s) return `\`${JSON.stringify(s.const)}\``;
  if (Array.isArray(s.enum)) return s.enum.map((v: unknown) => `\`${JSON.stringify(v)}\``).join(' | ');
  if (Array.isArray(s.anyOf)) return s.anyOf.map(typeOf).join(' | ');
  if (Array.isArray(s.oneOf)) return 'object (see below)';
  if (s.type === 'array') return `array of ${s.items ? typeOf(s.items) : 'values'}`;
  if (Array.isArray(s.type)) return s.type.join(' | ');
  if (s.type === 'integer' || s.type === 'number') {
    const bounds: string[] = [];
    if (s.minimum !== undefined) bounds.push(`>= ${s.minimum}`);
    if (s.exclusiveMinimum !== undefined) bounds.push(`> ${s.exclusiveMinimum}`);
    if (s.maximum !== undefined) bounds.push(`<= ${s.maximum}`);
    if (s.exclusiveMaximum !== undefined) bounds.push(`< ${s.exclusiveMaximum}`);
    return `${s.type}${bounds.length ? ` ${bounds.join(', ')}` : ''}`;
  }
  return s.type ?? 'any';
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Rows `| option | type | required | default | description |` for an object schema, nested objects with dotted names. */
function optionRows(schema: Schema, prefix: string, required: readonly string[], out: string[], variants: string[]): void {
  for (const [name, raw] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    const key = `${prefix}${name}`;
    const s = raw;
    const def = s.default === undefined ? '' : `\`${JSON.stringify(s.default)}\``;
    out.push(`| \`${key}\` | ${cell(typeOf(s))} | ${required.includes(name) ? 'yes' : ''} | ${def} | ${cell(s.description ?? '')} |`);
    if (s.type === 'object' && s.properties && !s.oneOf) optionRows(s, `${key}.`, s.required ?? [], out, variants);
    const objectBranch = Array.isArray(s.anyOf) ? s.anyOf.find((b: Schema) => b.type === 'object' && b.properties) : undefined;
    if (objectBranch) optionRows(objectBranch, `${key}.`, objectBranch.required ?? [], out, variants);
    if (s.type === 'array' && s.items?.type === 'object' && s.items.properties) optionRows(s.items, `${key}[].`, s.items.required ?? [], out, variants);
    // an array of "a name or an object" (csv columns): the object's keys as key[].name
    const itemBranch = s.type === 'array' && Array.isArray(s.items?.anyOf) ? s.items.anyOf.find((b: Schema) => b.type === 'object' && b.properties) : undefined;
    if (itemBranch) optionRows(itemBranch, `${key}[].`, itemBranch.required ?? [], out, variants);
    if (Array.isArray(s.oneOf) && s.discriminator) variants.push(variantTable(key, s));
    const arrayBranch = Array.isArray(s.anyOf) ? s.anyOf.find((b: Schema) => b.type === 'array' && b.items?.oneOf) : undefined;
    if (arrayBranch) variants.push(variantTable(`${key}[]`, arrayBranch.items));
  }
}

function variantTable(key: string, union: Schema): string {
  const tag = union.discriminator.propertyName as string;
  const lines = [`\`${key}\` is one of (by \`${tag}\`):`, ''];
  for (const branch of union.oneOf as Schema[]) {
    const value = branch.properties?.[tag]?.const ?? branch.properties?.[tag]?.enum?.join(' / ');
    const fields = Object.entries((branch.properties ?? {}) as Record<string, Schema>)
      .filter(([n]) => n !== tag)
      .map(([n, s]) => `\`${n}\`${(branch.required ?? []).includes(n) ? ' (required)' : ''}: ${typeOf(s)}${s.default !== undefined ? ` = \`${JSON.stringify(s.default)}\`` : ''}`);
    lines.push(`- \`${tag}: ${JSON.stringify(value)}\` — ${branch.description ?? ''}${fields.length ? ` ${fields.join('; ')}` : ''}`);
  }
  return lines.join('\n');
}

function stageSection(stage: StageDefinition<unknown>): string {
  const schema = stage.schema as Schema;
  const rows: string[] = [];
  const variants: string[] = [];
  optionRows(schema, '', schema.required ?? [], rows, variants);
  const parts = [
    `### \`${stage.name}\``,
    '',
    `${stage.summary}${stage.description ? `\n\n${stage.description}` : ''}`,
    '',
    `- plugin: ${stage.plugin}`,
    `- reads: ${stage.input.map((k) => `\`${k}\``).join(', ')}; gives: ${stage.output === 'same' ? 'the same kind' : `\`${stage.output}\``}${stage.task ? ` (a ${stage.task} task)` : ''}`,
    ...(stage.requires?.length ? [`- needs earlier: ${stage.requires.map((c) => `a ${c} stage`).join(', ')}`] : []),
    '',
  ];
  if (rows.length) parts.push('| option | type | required | default | description |', '|---|---|---|---|---|', ...rows, '');
  else parts.push('No options.', '');
  for (const v of variants) parts.push(v, '');
  if (stage.example) parts.push('```json', JSON.stringify(stage.example), '```', '');
  return parts.join('\n');
}

function searchSection(): string {
  const rows: string[] = [];
  const variants: string[] = [];
  optionRows(SEARCH_SCHEMA as Schema, 'search.', (SEARCH_SCHEMA as Schema).required ?? [], rows, variants);
  const param: string[] = [];
  optionRows(SEARCH_PARAMETER_SCHEMA as Schema, '', [], param, variants);
  return [
    '## The search block',
    '',
    '| option | type | required | default | description |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    'Each entry of `search.parameters` maps a field to exactly one of:',
    '',
    '| key | type | required | default | description |',
    '|---|---|---|---|---|',
    ...param,
    '',
  ].join('\n');
}

/**
 * The reference of every stage and option (docs/reference/stages.md), generated from the
 * registry's schemas so it cannot drift from the code.
 */
export function renderStageReference(registry: StageRegistry, topLevel: JsonSchema = composePipelineSchema(registry)): string {
  const top = topLevel as Schema;
  const topRows: string[] = [];
  optionRows({ properties: Object.fromEntries(Object.entries(top.properties).filter(([k]) => k !== 'stages' && k !== 'search')) }, '', top.required ?? [], topRows, []);
  const stages = registry.list();
  const sections: string[] = [
    '# Stage reference',
    '',
    '<!-- Generated by tools/gen-docs.ts from the stage registry (npm run docs). Do not edit: a test checks it is up to date. -->',
    '',
    'Every stage a pipeline definition can name, with its options. How to write a definition: [../pipelines.md](../pipelines.md). The JSON Schema: `packages/pipeline/schema/pipeline.schema.json`.',
    '',
    '## The definition',
    '',
    '| key | type | required | default | description |',
    '|---|---|---|---|---|',
    ...topRows,
    '| `stages` | array of stages | yes |  | The stages, in order (below). |',
    '| `search` | object |  |  | Hyper-parameter search (below). |',
    '',
    '## Data kinds',
    '',
    'Each stage reads one kind and gives one; a stage must read what the stage before it gives.',
    '',
    '| kind | what flows |',
    '|---|---|',
    ...Object.entries(DATA_KINDS).map(([k, v]) => `| \`${k}\` | ${cell(v)} |`),
    '',
    '## Stages',
    '',
    ...STAGE_CATEGORIES.flatMap((category) => {
      const list = stages.filter((s) => s.category === category);
      return list.length ? [`- ${category}: ${list.map((s) => `[\`${s.name}\`](#${s.name})`).join(', ')}`] : [];
    }),
    '',
  ];
  for (const category of STAGE_CATEGORIES) {
    const list = stages.filter((s) => s.category === category);
    if (!list.length) continue;
    sections.push(`## ${category[0].toUpperCase()}${category.slice(1)} stages`, '');
    for (const stage of list) sections.push(stageSection(stage));
  }
  sections.push(searchSection());
  return `${sections.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
