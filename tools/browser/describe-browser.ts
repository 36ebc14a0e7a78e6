/**
 * `describeBrowser(name, body)`: a describe block of browser tests (files named
 * `*.browser.spec.ts`, run by `npm test` and alone by `npm run test:browser`) that needs
 * Chromium. Where Chromium is missing, the block is skipped with a message that says how to
 * install it; under CI (`CI=true`) a missing Chromium is a failure instead.
 */
import { chromiumMissing, chromiumPath } from './chromium';

export function describeBrowser(name: string, body: () => void): void {
  if (chromiumPath() !== null) {
    describe(name, body);
    return;
  }
  const error = chromiumMissing(`the browser tests '${name}'`);
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs Chromium (CI=true: a missing browser is a failure)', () => {
        throw error;
      });
    });
    return;
  }
  process.stderr.write(`skipped: ${error.message}\n`);
  describe.skip(name, body);
}
