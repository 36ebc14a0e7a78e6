import { renderStageReference } from './reference';
import { defaultRegistry } from '../stages/default-registry';

const reference = renderStageReference(defaultRegistry());
/** The option rows: `| \`key\` | type | required | default | description |`. */
const rows = reference.split('\n').filter((line) => /^\| `[^`]+` \|/.test(line) && line.split(' | ').length >= 5);

describe('the stage reference (docs/reference/stages.md)', () => {
  it('describes every option', () => {
    expect(rows.length).toBeGreaterThan(100);
    const undescribed = rows.filter((line) => /\|\s*\|$/.test(line)).map((line) => line.split(' | ')[0]);
    expect(undescribed).toEqual([]);
  });

  it("lists the csv columns' object keys with what they do", () => {
    const csv = reference.slice(reference.indexOf('### `csv`'), reference.indexOf('### `json-lines`'));
    for (const key of ['columns[].name', 'columns[].type', 'columns[].as', 'columns[].missing']) expect(csv).toContain(`| \`${key}\` |`);
    expect(csv).toMatch(/`columns\[\]\.type` \| `"string"` \\\| `"number"` \\\| `"integer"` \\\| `"boolean"` \\\| `"date"` \|  \| `"string"` \| How each field is read/);
  });
});
