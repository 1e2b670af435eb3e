// The Chromium the browser tests drive. A system Chromium named by CHROMIUM_PATH wins; otherwise the headless
// Chromium that the npm package @sparticuz/chromium ships (pinned in package.json), so `npm ci && npm test` needs no
// apt step. The package inflates its brotli-packed binary into the temp dir on first use (~1 s) and reuses it after.
import { existsSync } from 'node:fs';
import packagedChromium from '@sparticuz/chromium';

/** Path of the Chromium executable to launch. */
export async function chromiumExecutable(): Promise<string> {
  const system = process.env.CHROMIUM_PATH;
  if (system === undefined || system === '') return packagedChromium.executablePath();
  if (!existsSync(system)) throw new Error(`CHROMIUM_PATH names ${system}, which does not exist`);
  return system;
}
