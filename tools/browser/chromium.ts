/**
 * Headless Chromium for the browser tests and the browser bench: Debian's `chromium` package
 * (`/usr/bin/chromium`; `.ci/run` installs it when missing) driven by playwright-core, which
 * never downloads a browser of its own. `LOOPFLOW_CHROMIUM` names another binary.
 *
 * The flags keep Chromium off the network (this machine's network is closed: without them it
 * retries Google's hosts at every start) and let it run as root in a container.
 */
import * as fs from 'fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium binary to drive, or null when none is installed. */
export function chromiumPath(): string | null {
  const fromEnv = process.env.LOOPFLOW_CHROMIUM;
  if (fromEnv) return fs.existsSync(fromEnv) ? fromEnv : null;
  return CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
}

/** The error of a missing Chromium: what was looked for and how to install it; `code` CHROMIUM_MISSING. */
export function chromiumMissing(what: string): Error & { code: 'CHROMIUM_MISSING' } {
  const looked = process.env.LOOPFLOW_CHROMIUM ?? CANDIDATES.join(', ');
  return Object.assign(
    new Error(`${what}: no Chromium found (looked for ${looked}); install it with \`apt-get install -y chromium\` (.ci/run does) or set LOOPFLOW_CHROMIUM to a Chromium binary`),
    { code: 'CHROMIUM_MISSING' as const },
  );
}

/** Launches headless Chromium; the error {@link chromiumMissing} when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw chromiumMissing('launchChromium');
  // Loaded here so that importing this file never needs playwright-core.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
}
