import type { ErrorObject } from 'ajv';
import type { JsonSchema } from '../vocabulary/stage';
import type { DefinitionProblem } from './problems';
import { showValue } from '../vocabulary/show-value';
import { closest, listChoices, suggestion } from '../vocabulary/suggest';
import { escapePointerSegment } from './json-positions';
import { getAt, isWithin } from './pointer';

type Schema = Record<string, any>;

const CODE_WORDS = /^(require|import|plugin|plugins|module|modules|code|script|factory|loader)$/i;
const CODE_PATH = /\.(c|m)?(js|ts)$/i;

/** Follows a local `$ref` ('#/definitions/x') in the root schema. */
function resolve(schema: Schema, root: Schema): Schema {
  if (schema && typeof schema.$ref === 'string' && schema.$ref.startsWith('#/')) {
    return schema.$ref
      .slice(2)
      .split('/')
      .reduce((node: Schema, key: string) => node?.[key], root);
  }
  return schema;
}

/** "an integer", "a string or a number"... for a type keyword. */
function typeWords(type: unknown): string {
  const names: Record<string, string> = { integer: 'a whole number', number: 'a number', string: 'a string', boolean: 'true or false', object: 'an object', array: 'an array', null: 'null' };
  const list = (Array.isArray(type) ? type : String(type).split(',')).map((t) => names[t] ?? t);
  return list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}` : list[0];
}

/** A short description of what a schema accepts. */
export function describeSchema(schema: Schema | undefined, root: Schema): string {
  const s = resolve(schema ?? {}, root);
  if (!s) return 'a value';
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return `one of ${listChoices(s.enum.map(String))}`;
  if (Array.isArray(s.anyOf)) return s.anyOf.map((b: Schema) => describeSchema(b, root)).join(' or ');
  if (Array.isArray(s.oneOf) && s.discriminator) return `an object with ${s.discriminator.propertyName} ${describeSchema(s.properties?.[s.discriminator.propertyName], root)}`;
  if (s.type) return typeWords(s.type);
  return 'a value';
}

function stageName(root: unknown, path: string): string | undefined {
  const m = /^\/stages\/(\d+)/.exec(path);
  if (!m) return undefined;
  const stage = getAt(root, `/stages/${m[1]}/stage`);
  return typeof stage === 'string' ? stage : undefined;
}

function typeHint(expected: unknown, data: unknown): string | undefined {
  const types = Array.isArray(expected) ? expected : String(expected).split(',');
  if (typeof data === 'string') {
    const n = Number(data);
    if ((types.includes('number') || types.includes('integer')) && data.trim() !== '' && Number.isFinite(n)) return `write the number without quotes: ${n}`;
    if (types.includes('boolean') && (data === 'true' || data === 'false')) return `write ${data} without quotes`;
  }
  if (types.includes('integer') && typeof data === 'number') return `use a whole number, e.g. ${Math.round(data)}`;
  if (types.includes('string') && (typeof data === 'number' || typeof data === 'boolean')) return `put it in double quotes: "${data}"`;
  if (types.includes('array') && !Array.isArray(data)) return `put it in brackets: [${JSON.stringify(data)}]`;
  return undefined;
}

function limitWords(keyword: string, limit: unknown): string {
  switch (keyword) {
    case 'minimum': return `a value >= ${limit}`;
    case 'maximum': return `a value <= ${limit}`;
    case 'exclusiveMinimum': return `a value > ${limit}`;
    case 'exclusiveMaximum': return `a value < ${limit}`;
    case 'minItems': return `at least ${limit} item${limit === 1 ? '' : 's'}`;
    case 'maxItems': return `at most ${limit} items`;
    case 'minLength': return `at least ${limit} character${limit === 1 ? '' : 's'}`;
    case 'maxLength': return `at most ${limit} characters`;
    case 'minProperties': return `at least ${limit} key${limit === 1 ? '' : 's'}`;
    case 'maxProperties': return `at most ${limit} key${limit === 1 ? '' : 's'}`;
    default: return String(limit);
  }
}

/** The branch schemas' values of a discriminator's tag (e.g. every registered stage name). */
function discriminatorValues(parent: Schema, tag: string, root: Schema): string[] {
  const out: string[] = [];
  for (const branch of (parent.oneOf ?? []) as Schema[]) {
    const p = resolve(branch, root)?.properties?.[tag];
    if (p && 'const' in p) out.push(String(p.const));
    else if (p && Array.isArray(p.enum)) out.push(...p.enum.map(String));
  }
  return out;
}

/**
 * Turns ajv's errors (run with `allErrors` and `verbose`) into definition problems: one per
 * real problem, with the path, what was expected, what was found and a hint. Errors that only
 * echo a deeper one (a union branch that did not match) are dropped; the failed alternatives
 * of an `anyOf` become one problem listing them.
 */
export function problemsFromAjv(errors: readonly ErrorObject[], root: unknown, schema: JsonSchema): DefinitionProblem[] {
  const rootSchema = schema as Schema;
  const problems: DefinitionProblem[] = [];
  const kept = resolveUnions(errors);
  const deeper = (path: string): boolean => kept.some((e) => e.instancePath !== path && isWithin(e.instancePath, path));

  for (const e of kept) {
    const path = e.instancePath;
    const data = e.data as any;
    const parent = (e.parentSchema ?? {}) as Schema;
    const stage = stageName(root, path);
    const inStage = stage ? ` in stage '${stage}'` : '';
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String(e.params.additionalProperty);
        const allowed = Object.keys(parent.properties ?? {});
        const near = closest(key, allowed);
        const code = CODE_WORDS.test(key) || (typeof data?.[key] === 'string' && CODE_PATH.test(data[key]));
        problems.push({
          code: 'UNKNOWN_KEY',
          path: `${path}/${escapePointerSegment(key)}`,
          message: `unknown key '${key}'${inStage}`,
          expected: allowed.length ? `one of ${listChoices(allowed)}` : 'no other keys',
          hint: near ? `did you mean '${near}'?` : code ? 'a definition cannot load code: stages are resolved only through the registry; remove this key' : 'remove it (see docs/reference/stages.md for the options)',
        });
        break;
      }
      case 'required': {
        const key = String(e.params.missingProperty);
        if (e.schemaPath.endsWith('/required') && parent.discriminator && parent.discriminator.propertyName === key && /^\/stages\/\d+$/.test(path)) {
          problems.push({ code: 'MISSING_KEY', path: `${path}/${escapePointerSegment(key)}`, message: "a stage entry needs 'stage', the name of a registered stage", expected: 'a stage name', hint: 'e.g. "stage": "csv"; see docs/reference/stages.md' });
          break;
        }
        const property = parent.properties?.[key] as Schema | undefined;
        problems.push({
          code: 'MISSING_KEY',
          path: `${path}/${escapePointerSegment(key)}`,
          message: `missing required key '${key}'${inStage}`,
          expected: `${describeSchema(property, rootSchema)}${property?.description ? ` (${property.description})` : ''}`,
        });
        break;
      }
      case 'type':
        problems.push({ code: 'WRONG_TYPE', path, message: `wrong type${inStage}`, expected: typeWords(e.params.type), found: showValue(data), hint: typeHint(e.params.type, data) });
        break;
      case 'enum': {
        const allowed = (e.params.allowedValues as unknown[]).map(String);
        const tagged = errors.some((d) => d.keyword === 'discriminator' && `${d.instancePath}/${escapePointerSegment(String(d.params.tag))}` === path);
        if (tagged) break; // reported by the discriminator, with the same choices
        problems.push({ code: 'INVALID_VALUE', path, message: `not an allowed value${inStage}`, expected: `one of ${listChoices(allowed)}`, found: showValue(data), hint: typeof data === 'string' ? closest(data, allowed) && `did you mean '${closest(data, allowed)}'?` : undefined });
        break;
      }
      case 'const':
        problems.push({ code: 'INVALID_VALUE', path, message: `not the allowed value${inStage}`, expected: JSON.stringify(e.params.allowedValue), found: showValue(data) });
        break;
      case 'discriminator': {
        const tag = String(e.params.tag);
        const value = data?.[tag];
        if (value === undefined) break; // the 'required' error says it
        const tagPath = `${path}/${escapePointerSegment(tag)}`;
        if (typeof value !== 'string') {
          problems.push({ code: 'WRONG_TYPE', path: tagPath, message: `'${tag}' must be a name`, expected: 'a string', found: showValue(value) });
          break;
        }
        const allowed = discriminatorValues(parent, tag, rootSchema);
        if (tag === 'stage' && /^\/stages\/\d+$/.test(path)) {
          problems.push({
            code: 'UNKNOWN_STAGE',
            path: tagPath,
            message: `unknown stage '${value}'; stages are resolved only through the registry, never loaded from a file`,
            expected: 'a registered stage name',
            found: showValue(value),
            hint: suggestion(value, allowed),
          });
        } else {
          problems.push({ code: 'INVALID_VALUE', path: tagPath, message: `unknown ${tag} '${value}'`, expected: `one of ${listChoices(allowed)}`, found: showValue(value), hint: closest(value, allowed) && `did you mean '${closest(value, allowed)}'?` });
        }
        break;
      }
      case 'anyOf':
      case 'oneOf':
        if (deeper(path) || kept.some((k) => k !== e && k.instancePath === path)) break;
        problems.push({ code: 'INVALID_VALUE', path, message: `not an accepted value${inStage}`, expected: describeSchema(parent, rootSchema), found: showValue(data) });
        break;
      case 'if':
      case 'not':
        break;
      case 'pattern': {
        const isName = path === '/name';
        problems.push({
          code: 'INVALID_VALUE',
          path,
          message: isName ? 'a name must be usable in a folder name' : 'does not have the expected form',
          expected: isName ? 'letters, digits, ".", "_" or "-", starting with a letter or digit (at most 64)' : `text matching ${e.params.pattern}`,
          found: showValue(data),
          hint: path.endsWith('/file') ? 'output files are plain names inside the run folder (no folders, no "..")' : undefined,
        });
        break;
      }
      case 'uniqueItems':
        problems.push({ code: 'INVALID_VALUE', path, message: 'an item appears twice', expected: 'no repeated items', found: showValue(data) });
        break;
      default: {
        const limit = e.params.limit;
        const expected = limit !== undefined ? limitWords(e.keyword, limit) : String(e.message);
        const hint =
          e.keyword === 'maxProperties' || e.keyword === 'minProperties'
            ? parent.properties ? `give exactly one of ${listChoices(Object.keys(parent.properties))}` : undefined
            : undefined;
        problems.push({ code: 'INVALID_VALUE', path, message: `out of range${inStage}`, expected, found: showValue(data), hint });
      }
    }
  }
  return dedupe(withoutTypoEchoes(problems));
}

/**
 * A misspelt required key shows up twice: as an unknown key ('hidenSize', "did you mean
 * 'hiddenSize'?") and as the missing key. Keep the first, which says both.
 */
function withoutTypoEchoes(problems: DefinitionProblem[]): DefinitionProblem[] {
  const parentOf = (pointer: string): string => pointer.slice(0, pointer.lastIndexOf('/'));
  const missing = new Set(problems.filter((p) => p.code === 'MISSING_KEY').map((p) => p.path));
  const echoed = new Set<string>();
  const out = problems.map((p) => {
    const meant = p.code === 'UNKNOWN_KEY' ? /^did you mean '(.*)'\?$/.exec(p.hint ?? '')?.[1] : undefined;
    const target = meant === undefined ? undefined : `${parentOf(p.path)}/${escapePointerSegment(meant)}`;
    if (target === undefined || !missing.has(target)) return p;
    echoed.add(target);
    return { ...p, message: `${p.message} (the required key '${meant}' is missing)` };
  });
  return out.filter((p) => !(p.code === 'MISSING_KEY' && echoed.has(p.path)));
}

/**
 * The errors of an `anyOf` that failed: when the value has the type of some alternatives (an
 * object where "false or an object" is accepted), only the first such alternative's errors
 * are kept (an unknown key inside the object, say); otherwise only the `anyOf` error, which
 * becomes one problem listing the alternatives.
 */
function resolveUnions(errors: readonly ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  for (const union of errors) {
    if (union.keyword !== 'anyOf') continue;
    const prefix = `${union.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const e of errors) {
      if (!e.schemaPath.startsWith(prefix) || !isWithin(e.instancePath, union.instancePath)) continue; // (schema paths repeat across array items)
      const branch = e.schemaPath.slice(prefix.length).split('/')[0];
      branches.set(branch, [...(branches.get(branch) ?? []), e]);
    }
    const mismatch = (e: ErrorObject): boolean => e.instancePath === union.instancePath && ['type', 'const', 'enum'].includes(e.keyword);
    const fitting = [...branches.values()].find((list) => !list.some(mismatch));
    for (const list of branches.values()) if (list !== fitting) list.forEach((e) => dropped.add(e));
    if (fitting) dropped.add(union);
  }
  return errors.filter((e) => !dropped.has(e));
}

function dedupe(problems: DefinitionProblem[]): DefinitionProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}|${p.code}|${p.message}|${p.expected}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
