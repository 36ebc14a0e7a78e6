/**
 * The code blocks of the documentation, read from the Markdown as a reader sees them, and what
 * the docs test does with each (the convention: docs/ and the team's fence rule).
 *
 * A fence's info string is its language and then words:
 *
 *   ```ts                    compiled (type-checked) and run
 *   ```ts fragment           deliberately a fragment: skipped, and counted as skipped
 *   ```json                  a pipeline definition (validated), a stage of one (validated in a
 *                            host definition the test gives), or a feedback-network definition
 *   ```json runnable         a pipeline definition that is also run, at a small size
 *   ```json invalid          a definition that must NOT validate (its problems are the output)
 *   ```text output           what the block above it prints (checked; a line `...` skips lines)
 *   ```ts id=some-name       names the block, for its preamble in preambles.ts
 *
 * `js` / `javascript` blocks are compiled and run like `ts` ones; `jsonc` like `json` (comments
 * allowed). Every other language (sh, bash, console, html, mermaid, none) is not run.
 */
import * as fs from 'fs';
import * as path from 'path';

export type BlockKind = 'ts' | 'json' | 'output' | 'other';

export interface DocBlock {
  /** The Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's language, lower-cased ('' for none). */
  lang: string;
  /** The words after the language (`fragment`, `runnable`, `output`, `id=...`). */
  words: string[];
  kind: BlockKind;
  /** The block's text, the fence's indentation removed. */
  text: string;
  /** `id=...` of the fence, else `<file>:<n>` (the n-th block of its kind in the file, from 1). */
  id: string;
  fragment: boolean;
}

const TS = new Set(['ts', 'typescript', 'js', 'javascript']);
const JSON_LANGS = new Set(['json', 'jsonc']);

/** The fenced code blocks of one Markdown text, in order. */
export function extractBlocks(markdown: string, file: string): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  const counts: Record<string, number> = {};
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3}|\s*)(`{3,}|~{3,})\s*([^`]*)$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const fence = open[2];
    const info = open[3].trim().split(/\s+/).filter(Boolean);
    const lang = (info[0] ?? '').toLowerCase();
    const words = info.slice(1);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`).exec(lines[j]);
      if (close) break;
      body.push(lines[j].startsWith(' '.repeat(indent)) ? lines[j].slice(indent) : lines[j].trimStart());
    }
    if (j >= lines.length) throw new Error(`${file}:${i + 1}: the code block opened here is never closed`);
    const kind: BlockKind = words.includes('output') ? 'output' : TS.has(lang) ? 'ts' : JSON_LANGS.has(lang) ? 'json' : 'other';
    counts[kind] = (counts[kind] ?? 0) + 1;
    const named = words.find((w) => w.startsWith('id='));
    blocks.push({
      file,
      line: i + 1,
      lang,
      words,
      kind,
      text: body.join('\n'),
      id: named ? named.slice(3) : `${file}:${kind}${counts[kind]}`,
      fragment: words.includes('fragment'),
    });
    i = j;
  }
  return blocks;
}

/** The documentation the test reads: README.md, docs/**.md (but the generated docs/api and docs/reference), every package README, examples/README.md. */
export function docFiles(root: string): string[] {
  const found: string[] = ['README.md', 'examples/README.md'];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (rel !== 'docs/api' && rel !== 'docs/reference') walk(rel);
      } else if (entry.name.endsWith('.md')) found.push(rel);
    }
  };
  walk('docs');
  for (const pkg of fs.readdirSync(path.join(root, 'packages')).sort()) {
    if (fs.existsSync(path.join(root, 'packages', pkg, 'README.md'))) found.push(`packages/${pkg}/README.md`);
  }
  return found.filter((f) => fs.existsSync(path.join(root, f)));
}

/** Each block paired with the output block right after it, if any. */
export function withOutputs(blocks: DocBlock[]): { block: DocBlock; output?: DocBlock }[] {
  const paired: { block: DocBlock; output?: DocBlock }[] = [];
  for (let i = 0; i < blocks.length; i++) {
    if (blocks[i].kind === 'output') continue;
    const next = blocks[i + 1];
    paired.push({ block: blocks[i], ...(next?.kind === 'output' ? { output: next } : {}) });
  }
  return paired;
}

/**
 * Whether `actual` is what the output block quotes: line by line after trimming the ends of lines
 * and the blank lines around the text; a quoted line `...` stands for any number of lines.
 */
export function matchesOutput(quoted: string, actual: string): boolean {
  const clean = (s: string): string[] => s.replace(/\s+$/gm, '').replace(/^\n+|\n+$/g, '').split('\n');
  const want = clean(quoted);
  const got = clean(actual);
  const match = (w: number, g: number): boolean => {
    if (w === want.length) return g === got.length;
    if (want[w].trim() === '...') {
      for (let k = g; k <= got.length; k++) if (match(w + 1, k)) return true;
      return false;
    }
    return g < got.length && want[w] === got[g] && match(w + 1, g + 1);
  };
  return match(0, 0);
}
