/**
 * The command line's parser: the one shared by `loopflow`, `loopflow compare`, the benches and
 * the conformance runner (Node's `util.parseArgs` underneath, one error style), defined in
 * @loopflow/benchmark (the lowest package that all of them may import) and re-exported here.
 */
export { parseArgs, UsageError, formatUsageError, optionsHelp } from '@loopflow/benchmark';
export type { OptionSpec, ParsedArgs } from '@loopflow/benchmark';
