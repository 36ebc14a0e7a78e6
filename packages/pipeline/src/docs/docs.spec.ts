import * as fs from 'fs';
import * as path from 'path';
import { validateDefinition } from '../definition/validate';
import { defaultRegistry } from '../stages/default-registry';
import { compiledSchema } from '../definition/compile';

const guide = fs.readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'docs', 'pipelines.md'), 'utf8');
// ```json blocks, with or without words after the language (```json runnable); ```json invalid ones
// must not validate (tools/docs/doc-blocks.spec.ts checks them and runs the runnable ones)
const blocks = [...guide.matchAll(/```json([^\n]*)\n([\s\S]*?)```/g)].filter((m) => !/\b(invalid|fragment)\b/.test(m[1])).map((m) => m[2]);

describe('docs/pipelines.md', () => {
  const definitions = blocks.filter((b) => b.includes('"stages"'));
  it('has the full example definitions', () => {
    expect(definitions.length).toBeGreaterThanOrEqual(5);
  });
  it.each(definitions.map((text) => [JSON.parse(text).name, text]))('the example %s is a valid definition', (_name, text) => {
    // data files of the examples are not in the repository: check everything but their existence
    expect(validateDefinition(JSON.parse(text as string), { checkFiles: false })).toEqual([]);
  });
  it('every stage snippet in it is a valid stage entry', () => {
    const { schema } = compiledSchema(defaultRegistry());
    const snippets = blocks.filter((b) => !b.includes('"stages"')).map((b) => JSON.parse(b));
    expect(snippets.length).toBeGreaterThanOrEqual(2);
    for (const stage of snippets) {
      const definition = { name: 'snippet', stages: [stage] };
      const problems = validateDefinition(definition, { checkFiles: false }).filter((p) => p.path.startsWith('/stages/0/') && p.code !== 'KIND_MISMATCH' && p.code !== 'PIPELINE_SHAPE');
      expect({ stage: stage.stage, problems }).toEqual({ stage: stage.stage, problems: [] });
    }
    expect(schema).toBeDefined();
  });
});

describe('registry examples', () => {
  it.each(defaultRegistry().list().map((s) => [s.name, s.example]))('the example of %s fits its schema', (_name, example) => {
    const problems = validateDefinition({ name: 'example', stages: [example] }, { checkFiles: false }).filter((p) => p.path.startsWith('/stages/0/') && p.code !== 'KIND_MISMATCH' && p.code !== 'PIPELINE_SHAPE');
    expect(problems).toEqual([]);
  });
});
