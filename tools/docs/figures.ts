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

/** The numbers of `text` that are not among `values` at their precision (see doc-figures.spec.ts). */
export function figureCheck(text: string, values: readonly number[]): Figure[] {
  const missing: Figure[] = [];
  text.split('\n').forEach((raw, i) => {
    // inline code (commands, file names), link targets and HTML comments are not figures
    const line = raw.replace(/`[^`]*`/g, ' ').replace(/\]\([^)]*\)/g, ']').replace(/<!--.*?-->/g, ' ');
    for (const m of line.matchAll(NUMBER)) {
      const decimals = m[3] ? m[3].length - 1 : 0;
      const quoted = Number(`${m[1]}${m[2].replace(/,/g, '')}${m[3] ?? ''}`);
      const scale = 10 ** decimals;
      const same = (v: number): boolean => Math.abs(Math.round(v * scale) - Math.round(quoted * scale)) === 0;
      const found = values.some((v) => same(v) || (m[4] === '%' && same(v * 100)));
      if (!found) missing.push({ text: m[0], line: i + 1 });
    }
  });
  return missing;
}
