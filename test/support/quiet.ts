// Vitest setup file (vitest.config.ts): `npm test` prints nothing but the runner's own lines. Powertools writes
// straight to process.stdout (past Vitest's console capture), so its logs and EMF metrics are off by default here;
// a test that needs them turns them on and captures them (test/support/captured-output.ts). The AWS SDK warns once
// per process that releases after January 2027 need Node 22; the reason this project still runs on Node 20 is in
// README "Development". Each default yields to a value already set, e.g. `POWERTOOLS_LOG_LEVEL=DEBUG npx vitest`.
const QUIET: Record<string, string> = {
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

for (const [name, value] of Object.entries(QUIET)) process.env[name] ??= value;
