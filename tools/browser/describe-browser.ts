/**
 * `describeBrowser(name, body)`: a describe block of browser tests (files named
 * `*.browser.spec.ts`, run by `npm test` and alone by `npm run test:browser`) that needs
 * Chromium. Where Chromium is missing, the block is skipped with a message that says how to
 * install it; under CI (`CI=true`) a missing Chromium is a failure instead.
 */
import { chromiumPath } from './chromium';

const INSTALL = 'install it with `apt-get install -y chromium` (.ci/run does), or set LOOPFLOW_CHROMIUM to a Chromium binary';

export function describeBrowser(name: string, body: () => void): void {
  if (chromiumPath() !== null) {
    describe(name, body);
    return;
  }
  const why = `no Chromium found for the browser tests '${name}'; ${INSTALL}`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs Chromium (CI=true: a missing browser is a failure)', () => {
        throw new Error(why);
      });
    });
    return;
  }
  process.stderr.write(`skipped: ${why}\n`);
  describe.skip(name, body);
}
