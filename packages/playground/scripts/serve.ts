/**
 * `npm run playground`: builds the playground, serves it on 127.0.0.1 with the cross-origin
 * isolation headers (so a page may use SharedArrayBuffer and threads) and prints the URL.
 * Ctrl-C stops it. `PORT=8080 npm run playground` picks the port (default: a free one).
 */
import { serveStatic } from '../../../tools/browser/serve';
import { buildPlayground } from './build';

async function main(): Promise<void> {
  const dir = await buildPlayground();
  const server = await serveStatic(dir, { isolated: true, port: process.env.PORT ? Number(process.env.PORT) : 0 });
  process.stdout.write(`loopflow playground: ${server.url}  (cross-origin isolated; Ctrl-C stops it)\n`);
  const stop = (): void => {
    server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`playground: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
