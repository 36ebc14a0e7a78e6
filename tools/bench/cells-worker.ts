/**
 * Child-process entry of the `cells` bench: runs the one case given as JSON in argv[2] and
 * sends `{ result }` or `{ error }` to the parent over the IPC channel, so that each case has
 * its own heap and its own peak RSS. Started by cells.ts (see `runCaseInChild`).
 */
import type { CaseSpec } from './cells-config';
import { runCase } from './cells-case';

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? 'null') as CaseSpec;
  let message: unknown;
  try {
    message = { result: await runCase(spec) };
  } catch (err) {
    message = { error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  if (!process.send) throw new Error('cells-worker: no IPC channel; run it through `npm run bench -- cells`');
  // Exit once the message is out: helper threads (a wasm matmul pool) must not keep the child alive.
  process.send(message, () => process.exit(0));
}

void main();
