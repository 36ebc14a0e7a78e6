#!/usr/bin/env node
// Checks the layering (.dependency-cruiser.cjs) with dependency-cruiser's API: `npm run deps`.
//
//   node tools/deps/check.mjs                    every source of the repository; prints each violation
//   node tools/deps/check.mjs --json             the same as JSON (what tools/deps/deps.spec.ts reads)
//   node tools/deps/check.mjs --edges <prefix>   lists the dependencies found from files under <prefix>
//                                                (e.g. packages/cells/assembly)
//   --cwd <folder>                               cruises another tree with this repository's rules
//                                                (the spec's fixture; it needs a tsconfig.base.json)
//
// Exit code: 0 no violation, 1 violations, 2 could not run.
//
// It calls the API rather than the `depcruise` command so that each violation prints as
// `file:line` of the import with its rule's reason (dependency-cruiser 17.4.3: 18.x needs Node 22).
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function parseArguments(argv) {
  const options = { json: false, edges: null, cwd: root };
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === '--json') options.json = true;
    else if (argument === '--edges' && i + 1 < argv.length) options.edges = argv[++i];
    else if (argument === '--cwd' && i + 1 < argv.length) options.cwd = path.resolve(argv[++i]);
    else throw new Error(`unknown argument '${argument}'; expected --json, --edges <prefix> or --cwd <folder>`);
  }
  return options;
}

/** Cruises everything under `cwd` with the rules of this repository; paths are relative to `cwd`. */
async function cruiseTree(cwd) {
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const cruiseOptions = await extractDepcruiseOptions(path.join(root, '.dependency-cruiser.cjs'));
    const tsConfig = extractTSConfig(cruiseOptions.tsConfig.fileName);
    const { output } = await cruise(['.'], { ...cruiseOptions, outputType: 'json' }, {}, { tsConfig });
    return typeof output === 'string' ? JSON.parse(output) : output;
  } finally {
    process.chdir(previous);
  }
}

/** `file:line` of the import in `from` that resolved to `to` (the line where its specifier is written). */
function importSite(cwd, modules, from, to) {
  const dependency = modules.get(from)?.dependencies.find((d) => d.resolved === to);
  if (!dependency) return from;
  let text;
  try {
    text = fs.readFileSync(path.join(cwd, from), 'utf8');
  } catch {
    return from;
  }
  const lines = text.split('\n');
  const quoted = [`'${dependency.module}'`, `"${dependency.module}"`, `\`${dependency.module}\``];
  const index = lines.findIndex((line) => quoted.some((q) => line.includes(q)));
  return index < 0 ? from : `${from}:${index + 1}`;
}

/**
 * The violations of the tree under `cwd`, each with a readable line:
 * `importing-file:line -> imported-file` (for a cycle, every step with the line of its import).
 */
export async function check(cwd = root) {
  const result = await cruiseTree(cwd);
  const modules = new Map(result.modules.map((m) => [m.source, m]));
  const comments = Object.fromEntries((result.summary.ruleSetUsed.forbidden ?? []).map((r) => [r.name, r.comment]));
  const violations = result.summary.violations.map((v) => {
    const steps = v.cycle ? [v.from, ...v.cycle.map((step) => step.name)] : [v.from, v.to];
    const route = steps.map((step, i) => (i + 1 < steps.length ? importSite(cwd, modules, step, steps[i + 1]) : step)).join(' -> ');
    return { rule: v.rule.name, from: v.from, to: v.to, cycle: v.cycle ? steps : undefined, text: route };
  });
  return {
    modules: result.modules.length,
    dependencies: result.summary.totalDependenciesCruised,
    violations,
    comments,
    result,
  };
}

/** The violations grouped by rule: the rule's name and why, then one line per violation. */
export function report(violations, comments) {
  const lines = [];
  for (const rule of [...new Set(violations.map((v) => v.rule))]) {
    lines.push(`${rule}: ${comments[rule] ?? ''}`);
    for (const v of violations.filter((x) => x.rule === rule)) lines.push(`  ${v.text}`);
  }
  return lines.join('\n');
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const started = Date.now();
  const { modules, dependencies, violations, comments, result } = await check(options.cwd);
  if (options.edges) {
    for (const module of result.modules.filter((m) => m.source.startsWith(options.edges))) {
      for (const d of module.dependencies) {
        console.log(`${module.source} -> ${d.resolved}  (${d.module}; ${d.dependencyTypes.join(', ')})`);
      }
    }
    return 0;
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ modules, dependencies, violations, report: report(violations, comments) }, null, 2)}\n`);
  } else {
    if (violations.length > 0) console.log(`${report(violations, comments)}\n`);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `${violations.length === 0 ? 'no' : violations.length} layering violation${violations.length === 1 ? '' : 's'} ` +
        `in ${modules} modules, ${dependencies} dependencies (${seconds} s; rules: .dependency-cruiser.cjs)`,
    );
  }
  return violations.length === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`deps: ${error && error.stack ? error.stack : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
