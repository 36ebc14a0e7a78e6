import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { map } from 'rxjs';
import { StageRegistry } from './registry';
import { createDefaultRegistry } from '../stages/default-registry';
import { composePipelineSchema, stageSchemaKey } from './schema';
import { defineStage } from '../vocabulary/stage';
import { renderStageReference, schemaFileText } from '../docs/reference';
import { validateDefinition } from '../definition/validate';

const root = path.resolve(__dirname, '..', '..', '..', '..');

const upper = defineStage<{ exclaim?: boolean }>({
  name: 'upper-case',
  plugin: 'test',
  category: 'preprocess',
  summary: 'Upper-cases texts.',
  input: ['texts'],
  output: 'texts',
  schema: { type: 'object', properties: { exclaim: { type: 'boolean' } } },
  create: (o) => map((item: { value: string }) => ({ ...item, value: item.value.toUpperCase() + (o.exclaim ? '!' : '') })),
});

describe('StageRegistry', () => {
  it('refuses a name registered twice, naming it, and malformed stages', () => {
    const registry = new StageRegistry().register(upper);
    expect(() => registry.register(upper)).toThrow(expect.objectContaining({ code: 'STAGE_REGISTERED', message: expect.stringContaining("'upper-case' is already registered (by plugin 'test')") }));
    expect(() => registry.register({ ...upper, name: 'Upper Case' })).toThrow(/lower-case words/);
    expect(() => registry.register({ ...upper, name: 'x', input: ['strings' as never] })).toThrow(/unknown data kind 'strings'/);
    expect(() => registry.register({ ...upper, name: 'y', schema: { type: 'object', properties: { stage: {} } } })).toThrow(/reserved/);
  });

  it('lists stages in pipeline order (by category)', () => {
    const categories = createDefaultRegistry().list().map((s) => s.category);
    const order = ['source', 'preprocess', 'split', 'batch', 'model', 'train', 'evaluate', 'output'];
    expect(categories.map((c) => order.indexOf(c))).toEqual([...categories.map((c) => order.indexOf(c))].sort((a, b) => a - b));
  });
});

describe('composePipelineSchema', () => {
  const registry = createDefaultRegistry();
  const schema = composePipelineSchema(registry) as any;

  it('has one branch per stage, discriminated by `stage`, closed to unknown keys', () => {
    const names = registry.names();
    expect(schema.definitions.stage.discriminator).toEqual({ propertyName: 'stage' });
    expect(schema.definitions.stage.properties.stage.enum).toEqual(registry.list().map((s) => s.name));
    expect(schema.definitions.stage.oneOf).toHaveLength(names.length);
    for (const name of names) {
      const branch = schema.definitions[stageSchemaKey(name)];
      expect(branch.properties.stage).toEqual(expect.objectContaining({ const: name }));
      expect(branch.additionalProperties).toBe(false);
      expect(branch.required[0]).toBe('stage');
    }
    expect(schema.additionalProperties).toBe(false);
  });

  it('compiles under ajv strict mode', () => {
    const ajv = new Ajv({ strict: true, discriminator: true, allowUnionTypes: true });
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it("takes a plugin's stage into the schema and the validation", () => {
    const custom = createDefaultRegistry().register(upper);
    const s = composePipelineSchema(custom) as any;
    expect(s.definitions[stageSchemaKey('upper-case')].properties.exclaim).toEqual({ type: 'boolean' });
    const definition = { name: 'x', stages: [{ stage: 'lines', path: __filename }, { stage: 'upper-case', exclaim: 'yes' }] };
    expect(validateDefinition(definition, { registry: custom }).map((p) => [p.code, p.path])).toEqual([
      ['WRONG_TYPE', '/stages/1/exclaim'],
      ['PIPELINE_SHAPE', '/stages'],
    ]);
  });
});

describe('generated files', () => {
  const registry = createDefaultRegistry();
  it('packages/pipeline/schema/pipeline.schema.json is up to date (npm run docs)', () => {
    const file = path.join(root, 'packages/pipeline/schema/pipeline.schema.json');
    expect(fs.readFileSync(file, 'utf8')).toBe(schemaFileText(registry));
  });
  it('docs/reference/stages.md is up to date (npm run docs) and documents every stage and option', () => {
    const text = fs.readFileSync(path.join(root, 'docs/reference/stages.md'), 'utf8');
    expect(text).toBe(renderStageReference(registry));
    for (const stage of registry.list()) {
      expect(text).toContain(`### \`${stage.name}\``);
      for (const option of Object.keys((stage.schema as any).properties ?? {})) expect(text).toContain(`| \`${option}\` |`);
    }
  });
});
