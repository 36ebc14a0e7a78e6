/** The edit distance between two strings (insertions, deletions, substitutions, adjacent swaps). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate closest to `word` (case-insensitive edit distance), if it is close enough to
 * be a likely typo: at most a third of the word's length, and at least 1 edit allowed.
 *
 * @example closest('hidenSize', ['hiddenSize', 'numLayers']) // 'hiddenSize'
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const distance = c.toLowerCase() === lower ? 0 : editDistance(lower, c.toLowerCase());
    if (distance < bestDistance) {
      best = c;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.floor(word.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

/** "did you mean 'x'?" for a likely typo, else a list of the choices. */
export function suggestion(word: string, candidates: readonly string[], noun = 'one of'): string {
  const near = closest(word, candidates);
  if (near !== undefined) return `did you mean '${near}'?`;
  return `use ${noun} ${listChoices(candidates)}`;
}

/** `'a', 'b' or 'c'` (at most 12 shown). */
export function listChoices(choices: readonly string[]): string {
  const shown = choices.slice(0, 12).map((c) => `'${c}'`);
  const more = choices.length > 12 ? `, ... (${choices.length} in all)` : '';
  if (shown.length <= 1) return shown.join('') + more;
  return `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}${more}`;
}
