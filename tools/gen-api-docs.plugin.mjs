// TypeDoc plugin of the API reference (loaded by typedoc.json): one module per package,
// named after its package.json (`@loopflow/tensor`, written to docs/api/tensor/), with the
// package's overview as the module page's text; packages marked `"private": true` are left
// out. TypeDoc itself would name the modules after their paths (`tensor/src`) and use a file's
// first comment only when it carries `@packageDocumentation`, which loopflow's index files
// do not (their first words, `@loopflow/x`, would read as a block tag).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Comment, Converter, ReflectionKind } from 'typedoc';

/** The package folder (packages/<dir>) that holds a source file, or undefined. */
function packageDirOf(fileName) {
  let dir = path.dirname(path.resolve(fileName));
  while (dir !== path.dirname(dir)) {
    if (path.basename(path.dirname(dir)) === 'packages' && fs.existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return undefined;
}

/** The leading block comment of an index file as plain Markdown text, or ''. */
function leadingComment(text) {
  const match = /^\s*\/\*\*([\s\S]*?)\*\//.exec(text);
  if (!match) return '';
  return match[1]
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

export function load(app) {
  /** @type {Map<object, {pkg: any, overview: string}>} */
  const modules = new Map();

  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module) || reflection.parent !== context.project) return;
    const file = context.getSymbolFromReflection(reflection)?.declarations?.[0]?.getSourceFile();
    const dir = file && packageDirOf(file.fileName);
    if (!dir) return;
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    reflection.name = pkg.name;
    modules.set(reflection, { pkg, overview: leadingComment(file.text) });
  });

  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const [reflection, { pkg, overview }] of modules) {
      if (pkg.private === true) {
        context.project.removeReflection(reflection);
        continue;
      }
      if (!reflection.hasComment()) {
        const text = overview || pkg.description || '';
        if (text) reflection.comment = new Comment([{ kind: 'text', text }]);
      }
    }
    modules.clear();
  });
}
