/** A short rendering of a found value for messages: strings quoted, long values cut. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  const kind = Array.isArray(value) ? 'an array ' : value === null ? '' : typeof value === 'object' ? 'an object ' : typeof value === 'string' ? 'the string ' : '';
  return `${kind}${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}
