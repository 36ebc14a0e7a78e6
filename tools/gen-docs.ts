/**
 * Generates the files that come from the stage registry: the pipeline JSON Schema
 * (packages/pipeline/schema/pipeline.schema.json, for editors) and the stage reference
 * (docs/reference/stages.md). `npm run docs`; tests fail when either is out of date.
 */
import * as fs from 'fs';
import * as path from 'path';
import { defaultRegistry, renderStageReference, schemaFileText } from '@loopflow/pipeline';

const root = path.resolve(__dirname, '..');

/** The generated files: path (from the repository root) -> text. */
export function generatedFiles(): Record<string, string> {
  const registry = defaultRegistry();
  return {
    'packages/pipeline/schema/pipeline.schema.json': schemaFileText(registry),
    'docs/reference/stages.md': renderStageReference(registry),
  };
}

if (require.main === module) {
  for (const [file, text] of Object.entries(generatedFiles())) {
    const target = path.join(root, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const before = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null;
    if (before === text) console.log(`unchanged ${file}`);
    else {
      fs.writeFileSync(target, text);
      console.log(`wrote ${file}`);
    }
  }
}
