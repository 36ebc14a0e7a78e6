/**
 * Reading and validating golden files (format: goldens/pytorch/README.md). Nothing here
 * throws for a bad file: `loadGolden` returns the reason, so one broken file fails alone.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConformanceUsageError, GoldenFormatError } from './errors';
import type { Golden, GoldenTensor } from './types';

/** The outcome of loading one file: the golden, or why it cannot be used. */
export type LoadResult =
  | { ok: true; file: string; golden: Golden }
  | { ok: false; file: string; reason: string; /** The case name, when the file got that far. */ caseName?: string };

/**
 * The golden files of a folder: every regular file whose name ends in `.json`, sorted by
 * name (not recursive; other files such as README.md are ignored).
 * Throws ConformanceUsageError when the folder does not exist or is not a folder.
 */
export function listGoldenFiles(folder: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(folder);
  } catch {
    throw new ConformanceUsageError(`folder '${folder}' does not exist; pass a folder of golden files (*.json), e.g. goldens/pytorch`);
  }
  if (!stat.isDirectory()) {
    throw new ConformanceUsageError(`'${folder}' is not a folder; pass the folder that holds the golden files (*.json), not a file`);
  }
  return fs
    .readdirSync(folder)
    .filter((name) => name.toLowerCase().endsWith('.json'))
    .sort()
    .map((name) => path.join(folder, name))
    .filter((file) => !isFolder(file));
}

/** True for a folder (a folder named `x.json` is not a golden file); false for files and broken links. */
function isFolder(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false; // a broken link: loadGolden reports that it cannot be read
  }
}

/** Reads and validates one golden file. Never throws. */
export function loadGolden(file: string): LoadResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, file, reason: `cannot read the file: ${(e as Error).message}` };
  }
  try {
    return { ok: true, file, golden: parseGolden(text) };
  } catch (e) {
    if (!(e instanceof GoldenFormatError)) throw e;
    return { ok: false, file, reason: e.message, caseName: peekCaseName(text) };
  }
}

/** The `case` field of a file that parses as JSON but fails validation, if it is a string. */
function peekCaseName(text: string): string | undefined {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && typeof value.case === 'string' && value.case ? value.case : undefined;
  } catch {
    return undefined;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses the text of a golden file and checks its structure: an object with a non-empty
 * string `case`, an optional object `config` (default `{}`), and a non-empty object `tensors`
 * whose every entry has a `shape` of non-negative integers and a `data` array of numbers
 * that fills the shape exactly. Throws GoldenFormatError naming what is wrong and where.
 *
 * @example
 * parseGolden('{"case":"x","tensors":{"a":{"shape":[2],"data":[1,2]}}}').tensors.a.shape; // [2]
 */
export function parseGolden(text: string): Golden {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const hint = /\b(NaN|-?Infinity)\b/.test(text)
      ? ' (it contains NaN or Infinity, which JSON does not allow; Python\'s json.dumps writes them unless allow_nan=False)'
      : '';
    throw new GoldenFormatError(`not valid JSON: ${(e as Error).message}${hint}`);
  }
  if (!isPlainObject(value)) {
    throw new GoldenFormatError(`expected a JSON object { "case", "config", "tensors" }, found ${kindOf(value)}`);
  }
  if (!('case' in value)) {
    throw new GoldenFormatError(`missing the "case" field (the case name, e.g. "lstm_L1"); see goldens/pytorch/README.md`);
  }
  if (typeof value.case !== 'string' || value.case.trim() === '') {
    throw new GoldenFormatError(`"case" must be a non-empty string, found ${kindOf(value.case)}${typeof value.case === 'string' ? ' (empty)' : ''}`);
  }
  const config = value.config === undefined ? {} : value.config;
  if (!isPlainObject(config)) {
    throw new GoldenFormatError(`"config" must be an object of sizes and options, found ${kindOf(config)}`);
  }
  if (!('tensors' in value)) {
    throw new GoldenFormatError(`missing the "tensors" field (an object of { "shape": [...], "data": [...] }); see goldens/pytorch/README.md`);
  }
  if (!isPlainObject(value.tensors)) {
    throw new GoldenFormatError(`"tensors" must be an object mapping names to { "shape", "data" }, found ${kindOf(value.tensors)}`);
  }
  const names = Object.keys(value.tensors);
  if (names.length === 0) throw new GoldenFormatError(`"tensors" is empty; a golden file needs at least the tensors it compares`);
  const problems: string[] = [];
  const tensors: Record<string, GoldenTensor> = {};
  for (const name of names) {
    const problem = checkTensor(value.tensors[name]);
    if (problem) problems.push(`tensor '${name}': ${problem}`);
    else tensors[name] = value.tensors[name] as GoldenTensor;
  }
  if (problems.length > 0) {
    const more = problems.length > 3 ? `; and ${problems.length - 3} more` : '';
    throw new GoldenFormatError(problems.slice(0, 3).join('; ') + more);
  }
  return { case: value.case, config, tensors };
}

/** Why a tensor entry is invalid, or null when it is valid. */
function checkTensor(t: unknown): string | null {
  if (!isPlainObject(t)) return `expected { "shape": [...], "data": [...] }, found ${kindOf(t)}`;
  if (!Array.isArray(t.shape)) return `"shape" must be an array of sizes, found ${kindOf(t.shape)}`;
  const bad = t.shape.findIndex((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 0);
  if (bad >= 0) return `shape ${JSON.stringify(t.shape)} has an invalid size at position ${bad}; expected non-negative integers`;
  if (!Array.isArray(t.data)) return `"data" must be a flat array of numbers, found ${kindOf(t.data)}`;
  const size = (t.shape as number[]).reduce((a, b) => a * b, 1);
  if (t.data.length !== size) {
    return `data has ${t.data.length} numbers but shape [${t.shape.join(',')}] holds ${size}; data must be flat, row-major and fill the shape`;
  }
  const nonNumber = t.data.findIndex((x) => typeof x !== 'number');
  if (nonNumber >= 0) return `data[${nonNumber}] is ${kindOf(t.data[nonNumber])}; expected a number (data must be flat, row-major)`;
  return null;
}
