/**
 * The layering of loopflow (../shared/DESIGN.md, docs/architecture.md), held by
 * dependency-cruiser over every source the repository has: packages/<name>/src,
 * packages/<name>/assembly (AssemblyScript, parsed as TypeScript), packages/<name>/bin,
 * tools/ and every .js/.cjs/.mjs file (jest.config.js, jest.preset.js, tools/build-wasm.js,
 * ...).
 *
 * Run it with `npm run deps` (tools/deps/check.mjs); `npm test` runs the same check
 * (tools/deps/deps.spec.ts). The rules are generated from the table below: adding a package
 * is one line in `packages`.
 *
 * Why dependency-cruiser and not Nx's module boundaries: the projects carry `layer:<name>`
 * tags (project.json), but Nx enforces tags only through the ESLint rule
 * `@nx/enforce-module-boundaries`, which this repository does not run, and which would see
 * neither the AssemblyScript sources, nor the plain .js files, nor cycles inside a package.
 * The tags stay as labels (one per package, named after it); this file holds the rules.
 */

/**
 * Which packages each package may import (by name, `@loopflow/<name>`), and whether its
 * sources may import Node built-ins (specs and test helpers always may: they run in Node).
 * `'*'` means every other package in the table. One line per package, bottom layer first.
 */
const packages = {
  tensor: { imports: [], node: false },
  layers: { imports: ['tensor'], node: false },
  cells: { imports: ['tensor', 'layers'], node: false },
  attention: { imports: ['tensor', 'layers'], node: false },
  losses: { imports: ['tensor'], node: false },
  optimizers: { imports: ['tensor'], node: false },
  data: { imports: ['tensor'], node: false },
  datasets: { imports: ['tensor', 'data'], node: true },
  training: { imports: ['tensor', 'layers', 'cells', 'attention', 'losses', 'optimizers', 'data'], node: false },
  pipeline: { imports: ['tensor', 'layers', 'cells', 'attention', 'losses', 'optimizers', 'data', 'datasets', 'training'], node: true },
  benchmark: { imports: ['tensor', 'layers', 'cells', 'attention', 'losses', 'optimizers', 'data', 'datasets', 'training'], node: true },
  cli: { imports: '*', node: true },
  // The playground (private): its page (page/) runs in a browser; pipeline through its browser
  // entry (`@loopflow/pipeline/browser`, src/browser.ts), datasets only in its Node build
  // script (scripts/), which also serves the page with tools/browser's server (nodeOnly and
  // tools below: the folders where Node and those tools are allowed).
  playground: {
    imports: ['tensor', 'layers', 'cells', 'attention', 'losses', 'optimizers', 'data', 'datasets', 'training', 'pipeline'],
    node: false,
    nodeOnly: ['scripts/'],
    tools: ['tools/browser/'],
  },
  onnx: { imports: ['tensor', 'layers', 'cells', 'attention'], node: true },
  distributed: { imports: ['tensor', 'layers', 'cells', 'attention', 'losses', 'optimizers', 'data', 'datasets', 'training', 'pipeline', 'benchmark'], node: true },
};

// Packages that run in a page (DESIGN.md: everything but the file readers, datasets, reports,
// distributed and cli) import no Node built-in (`node: false`): where they need one at run time
// (files, threads, V8 flags) they ask tensor's runtime/node.ts, inside a function, which answers
// undefined in a browser. Type-only imports (`typeof import('fs')`) are allowed. The dataset
// loaders, which read files that npm packages ship, are @loopflow/datasets (node: true).

const names = Object.keys(packages);
const either = (list) => `(${list.join('|')})`;
/** Specs and the helpers only specs import: `*.spec.ts`, `test-helpers.ts`, `spec-helpers.ts`, `testing/`. */
const specs = '\\.spec\\.ts$';
const testHelpers = '(^|/)((test|spec)-helpers\\.ts$|testing/)';
const testFiles = [specs, testHelpers];
/** A package's public API: the only files of it that another package (or tools/) may import (pipeline's `./browser` subpath too). */
const publicApi = '^packages/([^/]+/src/index|pipeline/src/browser)\\.ts$';

const layering = names.map((name) => {
  const { imports } = packages[name];
  const allowed = imports === '*' ? names.filter((other) => other !== name) : imports;
  return {
    name: `layering-${name}`,
    comment:
      allowed.length === 0
        ? `${name} is the bottom layer: it imports no other loopflow package`
        : `${name} may import only ${allowed.map((other) => `@loopflow/${other}`).join(', ')}`,
    severity: 'error',
    from: { path: `^packages/${name}/` },
    to: { path: '^packages/[^/]+/', pathNot: `^packages/${either([name, ...allowed])}/` },
  };
});

const noNodeBuiltins = names.filter((name) => !packages[name].node);
/** Folders of a page package that run in Node only (its build scripts): `nodeOnly` in the table. */
const nodeOnlyFolders = names.flatMap((name) => (packages[name].nodeOnly ?? []).map((folder) => `^packages/${name}/${folder}`));
/** The Node-only folders and specs of a package with `tools` in the table, which may import those folders of tools/ (the browser harness) by a relative path. */
const toolsUsers = names.flatMap((name) => (packages[name].tools ? [...(packages[name].nodeOnly ?? []).map((f) => `^packages/${name}/${f}`), `^packages/${name}/.*${specs}`] : []));
const toolsAllowed = names
  .filter((name) => packages[name].tools)
  .map((name) => ({
    name: `tools-from-${name}`,
    comment: `${name}'s build scripts and specs import only ${packages[name].tools.join(', ')} of the files outside packages/ (the browser harness)`,
    severity: 'error',
    from: { path: toolsUsers.filter((p) => p.startsWith(`^packages/${name}/`)) },
    to: { pathNot: ['^(packages|node_modules)/', ...packages[name].tools.map((t) => `^${t}`)], dependencyTypes: ['local'] },
  }));

module.exports = {
  forbidden: [
    {
      name: 'package-not-in-table',
      comment: 'every package has a line in the `packages` table of .dependency-cruiser.cjs (its place in the layering)',
      severity: 'error',
      from: { path: '^packages/[^/]+/', pathNot: `^packages/${either(names)}/` },
      to: {},
    },
    ...layering,
    {
      name: 'no-deep-import',
      comment:
        "another package is imported by name (`@loopflow/x`, its src/index.ts), never through its files; " +
        'the one exception is the AssemblyScript compile-time import below (assembly-imports-only-assembly)',
      severity: 'error',
      from: { path: '^packages/([^/]+)/', pathNot: '^packages/(cells|attention)/assembly/' },
      to: { path: '^packages/[^/]+/', pathNot: ['^packages/$1/', publicApi] },
    },
    {
      name: 'no-relative-import-across-packages',
      comment: 'a relative path never leaves its package: import `@loopflow/x` instead (cells/assembly and attention/assembly -> tensor/assembly excepted, see assembly-imports-only-assembly)',
      severity: 'error',
      from: { path: '^packages/([^/]+)/', pathNot: '^packages/(cells|attention)/assembly/' },
      to: { path: publicApi, pathNot: '^packages/$1/', dependencyTypesNot: ['aliased-tsconfig'] },
    },
    {
      name: 'no-relative-import-out-of-packages',
      comment: 'a package is self-contained: no relative import of files outside packages/ (tools/, the root, goldens/)',
      severity: 'error',
      from: { path: '^packages/', pathNot: toolsUsers },
      to: { pathNot: '^(packages|node_modules)/', dependencyTypes: ['local'] },
    },
    ...toolsAllowed,
    {
      name: 'no-loopflow-subpath',
      comment: "`@loopflow/x/...` reaches into a package's files: import `@loopflow/x` (its src/index.ts) instead",
      severity: 'error',
      from: {},
      to: { path: '(^|/)node_modules/@loopflow/' },
    },
    {
      name: 'assembly-imports-only-assembly',
      comment:
        "AssemblyScript is compiled by asc, not loaded by Node: assembly/ imports only assembly/. The one cross-package " +
        "import allowed anywhere by path: packages/cells/assembly and packages/attention/assembly -> packages/tensor/assembly (the fused kernels reuse " +
        "tensor's SIMD helpers and matmul micro-kernel at compile time; tools/build-wasm.js compiles them together)",
      severity: 'error',
      from: { path: '^packages/([^/]+)/assembly/' },
      to: { pathNot: ['^packages/$1/assembly/', '^packages/tensor/assembly/'] },
    },
    {
      name: 'only-kernel-assembly-reaches-tensor-assembly',
      comment: 'of all packages, only cells and attention compile against tensor/assembly',
      severity: 'error',
      from: { path: '^packages/([^/]+)/assembly/', pathNot: '^packages/(cells|attention|tensor)/assembly/' },
      to: { path: '^packages/tensor/assembly/' },
    },
    {
      name: 'no-assembly-from-js',
      comment: 'TypeScript/JavaScript sources load the compiled .wasm, never the AssemblyScript sources',
      severity: 'error',
      from: { pathNot: '^packages/[^/]+/assembly/' },
      to: { path: '^packages/[^/]+/assembly/' },
    },
    {
      name: 'outside-packages-by-name-only',
      comment: 'tools/ and the root .js files import a package only by name (`@loopflow/x`), never its files',
      severity: 'error',
      from: { pathNot: '^packages/' },
      to: { path: '^packages/', pathNot: publicApi },
    },
    {
      name: 'outside-packages-no-relative-path',
      comment: 'tools/ and the root .js files import a package only by name (`@loopflow/x`), not by a relative path',
      severity: 'error',
      from: { pathNot: '^packages/' },
      to: { path: publicApi, dependencyTypesNot: ['aliased-tsconfig'] },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles, between packages or inside one (type-only imports count: they are cycles in the source too)',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'pipeline-vocabulary-at-the-bottom',
      comment: "pipeline's src/vocabulary (items, artifacts, events, the stage contract) is what stages, run, search and reports share: it imports nothing else of the package",
      severity: 'error',
      from: { path: '^packages/pipeline/src/vocabulary/' },
      to: { path: '^packages/pipeline/src/', pathNot: '^packages/pipeline/src/vocabulary/' },
    },
    {
      name: 'not-to-spec',
      comment: 'nothing imports a spec (a spec imported elsewhere runs its tests twice, or in production code)',
      severity: 'error',
      from: {},
      to: { path: specs },
    },
    {
      name: 'test-helpers-only-from-specs',
      comment: "test helpers (test-helpers.ts, spec-helpers.ts, testing/) serve their own package's specs only",
      severity: 'error',
      from: { pathNot: testFiles },
      to: { path: testHelpers },
    },
    ...(noNodeBuiltins.length === 0
      ? []
      : [
          {
            name: 'no-node-builtins',
            comment: `${noNodeBuiltins.join(', ')} import no Node built-in outside specs and test helpers (node: false in the table)`,
            severity: 'error',
            from: { path: `^packages/${either(noNodeBuiltins)}/`, pathNot: [...testFiles, ...nodeOnlyFolders] },
            to: { dependencyTypes: ['core'], dependencyTypesNot: ['type-only', 'type-import'] },
          },
        ]),
    {
      name: 'not-to-unresolvable',
      comment:
        'every import resolves (a typo, or `@loopflow/x/...` with no such file); a package\'s own build output ' +
        "(`../dist/index.cjs`, required by the cli's bin outside a checkout) is excluded like dist/ itself: it exists only after `npm run build`",
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: '^\\.\\./dist/' },
    },
  ],
  options: {
    // Everything under the working folder but what git ignores (see .gitignore); npm packages
    // are seen as dependencies but not read (doNotFollow also keeps the scan out of node_modules).
    // (Anchored: an npm package's own dist/ folder is a dependency, not something to exclude.)
    exclude: { path: ['^packages/[^/]+/(dist|coverage)/', '^(dist|coverage|runs|tmp|\\.nx|\\.exp|\\.git)/'] },
    doNotFollow: { path: '(^|/)node_modules/' },
    // Keep node_modules/@loopflow/x paths as they are (npm workspace links), so that
    // `@loopflow/x/...` shows as what it is (no-loopflow-subpath).
    preserveSymlinks: true,
    moduleSystems: ['cjs', 'es6'],
    // Type-only imports are dependencies too (a cycle of types is still a cycle).
    tsPreCompilationDeps: true,
    // `@loopflow/x` resolves through the paths of tsconfig.base.json to packages/x/src/index.ts.
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.cjs', '.mjs', '.json', '.d.ts'],
      mainFields: ['main', 'types', 'typings'],
    },
  },
};
