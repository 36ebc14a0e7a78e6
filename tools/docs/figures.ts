/**
 * Figures quoted in Markdown, checked against the result files named beside them
 * (doc-figures.spec.ts): `<!-- figures: a/b.json c/ -->` names the files of the block after it
 * (the paragraph or table that follows, up to a blank line, a heading or the next comment).
 */
import * as fs from 'fs';
import * as path from 'path';

export interface FigureSection {
  /** 1-based line of the comment. */
  line: number;
  files: string[];
  /** The text it covers (from the line after the comment). */
  text: string;
}

const MARKER = /^\s*<!--\s*figures:\s*([^>]*?)\s*-->/; // on a line of its own (not quoted in inline code)

export function figureSections(markdown: string): FigureSection[] {
  const lines = markdown.split('\n');
  const sections: FigureSection[] = [];
  let current: FigureSection | null = null;
  let fence = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    const marker = MARKER.exec(line);
    if (marker) {
      current = { line: i + 1, files: marker[1].split(/\s+/).filter(Boolean), text: '' };
      sections.push(current);
      continue;
    }
    if (!fence && /^#{1,6}\s/.test(line)) current = null;
    if (current && !fence && line.trim() === '' && current.text.trim() !== '') current = null; // the block ends
    if (current) current.text += `${line}\n`;
  }
  return sections;
}

function filesUnder(file: string): string[] {
  if (!fs.existsSync(file)) return []; // reported by the spec's first test
  if (!fs.statSync(file).isDirectory()) return [file];
  return fs.readdirSync(file).sort().flatMap((name) => filesUnder(path.join(file, name)));
}

/** A quoted figure: sign, digits (with thousands commas), decimals, and a `%` or `x` (a ratio) after it. */
const NUMBER = /(?<![\w.-])(-?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?([%x]?)(?![\w.]*\d)(?![A-Za-z])/g;

/** Every number in the files (JSON values, and numbers written in any text, JSON strings included). */
export function numbersOfFiles(files: readonly string[]): number[] {
  const values: number[] = [];
  for (const file of files.flatMap(filesUnder)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g)) values.push(Number(m[0]));
    for (const m of text.matchAll(/\d{1,3}(?:,\d{3})+(?:\.\d+)?/g)) values.push(Number(m[0].replace(/,/g, ''))); // 13,450 in a table
  }
  return values;
}

export interface Figure {
  text: string;
  /** 1-based line within the section's text. */
  line: number;
}

const rounded = new WeakMap<readonly number[], Map<string, Set<number>>>();

/** The values times `factor`, rounded to `decimals` and scaled to integers (computed once per array). */
function roundedAt(values: readonly number[], decimals: number, factor: number): Set<number> {
  let byPrecision = rounded.get(values);
  if (!byPrecision) rounded.set(values, (byPrecision = new Map()));
  const key = `${decimals}x${factor}`;
  let set = byPrecision.get(key);
  if (!set) {
    const scale = 10 ** decimals;
    set = new Set(values.map((v) => Math.round(v * factor * scale)));
    byPrecision.set(key, set);
  }
  return set;
}

/** The numbers of `text` that are not among `values` at their precision (see doc-figures.spec.ts). */
export function figureCheck(text: string, values: readonly number[]): Figure[] {
  const missing: Figure[] = [];
  text.split('\n').forEach((raw, i) => {
    // inline code (commands, file names), link targets, HTML comments, references (`issue 13`,
    // `#3830`), dates (`2026-12-07`) and
    // clock times with a two-digit hour (`14:23-14:27 UTC`; a duration `3:26` stays a figure) are
    // not figures
    const line = raw
      .replace(/`[^`]*`/g, ' ')
      .replace(/\]\([^)]*\)/g, ']')
      .replace(/<!--.*?-->/g, ' ')
      .replace(/(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])/g, ' ')
      .replace(/\b(issue|PR|#)\s?\d+/gi, ' ')
      .replace(/(?<![\d:])[0-2]\d:[0-5]\d(?![\d:])/g, ' ');
    for (const m of line.matchAll(NUMBER)) {
      const decimals = m[3] ? m[3].length - 1 : 0;
      const quoted = Number(`${m[1]}${m[2].replace(/,/g, '')}${m[3] ?? ''}`);
      const wanted = Math.round(quoted * 10 ** decimals);
      const found = roundedAt(values, decimals, 1).has(wanted) || (m[4] === '%' && roundedAt(values, decimals, 100).has(wanted));
      if (!found) missing.push({ text: m[0], line: i + 1 });
    }
  });
  return missing;
}

/**
 * A measured figure: a number with a unit of time (`us`, `ms`, `s`, `min`, `CPU-s`, `CPU-ms`),
 * speed (`steps/s`, `ms/step`, `GB/s`, `GFLOP/s`) or memory (`KB`, `MB`, `GB`), or a ratio or share
 * (`1.26x`, `19 %`); not one after `<`, `>`, `<=`, `>=`, "at least", "at most", "under" or "over",
 * nor one followed by "target" (a threshold, a target or a timing plan).
 * Sizes of a configuration (`T 64, batch 32`), versions, dates and counts carry no such unit.
 */
const MEASURED =
  /(?<![\w.,])(?<!(?:[<>]=?|at least|at most|under|over)\s?)\d[\d,]*(?:\.\d+)?(?:x|\s?(?:%|us|µs|ms|s|min|minutes|seconds|CPU-s|CPU-ms|KB|MB|GB|steps\/s|ms\/step|GB\/s|GFLOP\/s))(?![\w/])(?!\s(?:target|goal))/g;

/** A table's body cell that is a number (`93,311`, `~2,630`, `1.26x`, `0.83`). */
const NUMERIC_CELL = /^\**[~+-]?\d[\d,]*(?:\.\d+)?(?:x|%)?\**$/;

/** What in `block` makes it quote a measurement (see MEASURED); empty when nothing does. */
export function measuredFigures(block: string): string[] {
  const found: string[] = [];
  const lines = block.split('\n');
  const table = lines.every((l) => l.trim().startsWith('|'));
  lines.forEach((raw, i) => {
    const line = raw.replace(/`[^`]*`/g, ' ').replace(/\]\([^)]*\)/g, ']').replace(/<!--.*?-->/g, ' ');
    for (const m of line.matchAll(MEASURED)) found.push(m[0]);
    if (table && i >= 2) {
      for (const cell of line.split('|').map((c) => c.trim())) if (NUMERIC_CELL.test(cell)) found.push(cell);
    }
  });
  return found;
}

/**
 * The paragraphs and tables of `markdown` (outside code fences; headings and comments left out)
 * that quote a measurement but are under no figures comment, with their first line.
 */
export function uncoveredMeasurements(markdown: string): { line: number; text: string; figures: string[] }[] {
  const covered = figureSections(markdown).map((s) => s.text);
  const lines = markdown.split('\n');
  const blocks: { line: number; text: string }[] = [];
  let fence = false;
  let current: { line: number; text: string } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*(```|~~~)/.test(line)) {
      fence = !fence;
      current = null;
      continue;
    }
    if (fence || line.trim() === '' || /^#{1,6}\s/.test(line) || /^\s*<!--/.test(line)) {
      current = null;
      continue;
    }
    if (!current) blocks.push((current = { line: i + 1, text: '' }));
    current.text += `${line}\n`;
  }
  return blocks
    .map((b) => ({ ...b, text: b.text.trimEnd(), figures: measuredFigures(b.text.trimEnd()) }))
    .filter((b) => b.figures.length > 0 && !covered.some((c) => c.includes(b.text)));
}
