#!/usr/bin/env node
// Generates the API reference (docs/api) from the TSDoc comments of every public package's
// `src/index.ts`, with TypeDoc and typedoc-plugin-markdown; the options are in typedoc.json
// (`npx typedoc` alone writes the same files, under an English locale). Part of `npm run docs`; tools/gen-api-docs.spec.ts
// fails when docs/api is out of date.
//
//   node tools/gen-api-docs.mjs [--out <dir>] [--undocumented] [--quiet]
//
// --out <dir>      write there instead of docs/api (the test writes to a temporary folder)
// --undocumented   list every export and member that has no TSDoc comment
// --quiet          print only warnings and errors
//
// Besides writing, it reports how many exports of each package have no TSDoc comment (TypeDoc's
// `validation.notDocumented`); that and TypeDoc's other warnings are information, not failures.
// Exit codes: 0 written; 1 TypeDoc could not convert or write (API_DOCS_CONVERT, API_DOCS_WRITE,
// API_DOCS_FAILED); 2 bad arguments (API_DOCS_ARGS).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application } from 'typedoc';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function usage(message) {
  console.error(`gen-api-docs [API_DOCS_ARGS]: ${message}\nusage: node tools/gen-api-docs.mjs [--out <dir>] [--undocumented] [--quiet]`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = { out: undefined, undocumented: false, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out') {
      if (!argv[i + 1]) usage('--out needs a folder');
      args.out = path.resolve(argv[++i]);
    } else if (arg === '--undocumented') args.undocumented = true;
    else if (arg === '--quiet') args.quiet = true;
    else usage(`unknown argument ${arg}`);
  }
  return args;
}

/** The public packages: folders of packages/ with a package.json that is not private and a src/index.ts. */
function publicPackages() {
  const dir = path.join(root, 'packages');
  return fs
    .readdirSync(dir)
    .sort()
    .filter((name) => fs.existsSync(path.join(dir, name, 'package.json')) && fs.existsSync(path.join(dir, name, 'src', 'index.ts')))
    .map((name) => ({ dir: name, ...JSON.parse(fs.readFileSync(path.join(dir, name, 'package.json'), 'utf8')) }))
    .filter((pkg) => pkg.private !== true);
}

/** Every file under a folder: relative path (with /) -> contents. */
function readTree(dir) {
  const files = new Map();
  if (!fs.existsSync(dir)) return files;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, full).split(path.sep).join('/'), fs.readFileSync(full));
  }
  return files;
}

// "@loopflow/tensor.Tensor.add (Method), defined in @loopflow/tensor/src/tensor.ts, does not have any documentation"
const NOT_DOCUMENTED = /^(.+) \((\w+)\), defined in (.+), does not have any documentation$/;

async function main() {
  // TypeDoc sorts names with localeCompare, whose order follows the system locale (in Danish,
  // "A" sorts before "a"): generate under one locale everywhere, so docs/api is the same on
  // every machine.
  if (Intl.Collator().resolvedOptions().locale !== 'en-US' && process.env.LC_ALL !== 'C.UTF-8') {
    const child = spawnSync(process.execPath, process.argv.slice(1), { stdio: 'inherit', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
    process.exit(child.status ?? 1);
  }
  const args = parseArgs(process.argv.slice(2));
  process.chdir(root);
  const packages = publicPackages();
  const app = await Application.bootstrapWithPlugins({
    options: path.join(root, 'typedoc.json'),
    lang: 'en',
    ...(args.out ? { out: args.out } : {}),
    validation: { notExported: true, invalidLink: true, notDocumented: true },
    packagesRequiringDocumentation: packages.map((pkg) => pkg.name),
    logLevel: 'Warn', // TypeDoc's own info lines; the summary below says what was written
  });
  const out = path.resolve(app.options.getValue('out'));

  // Collect the "does not have any documentation" warnings instead of printing ~hundreds of them.
  const undocumented = [];
  const validationWarning = app.logger.validationWarning.bind(app.logger);
  app.logger.validationWarning = (message, ...rest) => {
    const match = NOT_DOCUMENTED.exec(String(message));
    if (match) undocumented.push({ name: match[1], kind: match[2], file: match[3] });
    else validationWarning(message, ...rest);
  };

  const started = Date.now();
  const before = readTree(out);
  const project = await app.convert();
  if (!project) {
    console.error('gen-api-docs [API_DOCS_CONVERT]: TypeDoc could not convert the packages (see its errors above); nothing written. Fix the source it names, or run `npx typedoc --logLevel Verbose` for details.');
    process.exit(1);
  }
  app.validate(project);
  await app.generateOutputs(project);
  if (app.logger.hasErrors()) {
    console.error(`gen-api-docs [API_DOCS_WRITE]: TypeDoc reported errors (above) while writing ${path.relative(root, out) || out}.`);
    process.exit(1);
  }
  const after = readTree(out);

  if (!args.quiet) {
    const shown = path.relative(root, out).startsWith('..') ? out : path.relative(root, out);
    const added = [...after.keys()].filter((f) => !before.has(f)).length;
    const removed = [...before.keys()].filter((f) => !after.has(f)).length;
    const changed = [...after.keys()].filter((f) => before.has(f) && !before.get(f).equals(after.get(f))).length;
    const unchanged = added + removed + changed === 0;
    console.log(
      `${unchanged ? 'unchanged' : 'wrote'} ${shown}: ${after.size} files from ${packages.length} packages` +
        (unchanged ? '' : ` (${changed} changed, ${added} added, ${removed} removed)`) +
        ` in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    printUndocumented(packages, undocumented, args.undocumented);
  }
}

function printUndocumented(packages, undocumented, listAll) {
  const rows = packages.map((pkg) => {
    const own = undocumented.filter((u) => u.file.startsWith(`${pkg.name}/`));
    // "@loopflow/x.name" is an export; "@loopflow/x.Name.member" a member of one
    const isExport = (u) => !u.name.slice(pkg.name.length + 1).includes('.');
    return { pkg, exports: own.filter(isExport), members: own.filter((u) => !isExport(u)) };
  });
  const total = rows.reduce((n, r) => n + r.exports.length, 0);
  const totalMembers = rows.reduce((n, r) => n + r.members.length, 0);
  if (total + totalMembers === 0) {
    console.log('every export and member has a TSDoc comment');
    return;
  }
  console.log(`without a TSDoc comment: ${total} exports, ${totalMembers} members (properties, methods) — information, not a failure:`);
  for (const r of [...rows].sort((a, b) => b.exports.length - a.exports.length || b.members.length - a.members.length)) {
    if (r.exports.length + r.members.length === 0) continue;
    console.log(`  ${r.pkg.name.padEnd(24)} ${String(r.exports.length).padStart(4)} exports ${String(r.members.length).padStart(5)} members`);
    if (listAll) for (const u of [...r.exports, ...r.members]) console.log(`      ${u.name} (${u.kind}, ${u.file})`);
  }
  if (!listAll) console.log('  (node tools/gen-api-docs.mjs --undocumented lists them)');
}

main().catch((error) => {
  console.error(`gen-api-docs [API_DOCS_FAILED]: ${error instanceof Error ? error.stack : error}`);
  process.exit(1);
});
