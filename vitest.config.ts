import { defineConfig } from 'vitest/config';

/**
 * The suites, one Vitest project each; `npm test` runs them all, `npm run test:<name>` one of them.
 * Every test file belongs to exactly one (test/unit/test-projects.test.ts checks it).
 */
export const TEST_PROJECTS = {
  /** Pure code and SDK-mocked handlers: seconds. */
  unit: { include: ['test/unit/**/*.test.ts'] },
  /** Embedded DynamoDB, the local stack and its HTTP endpoints on loopback. */
  integration: { include: ['test/integration/**/*.test.ts'], exclude: ['test/integration/load-*.test.ts'] },
  /** Small versions of the load and fault scenarios (docs/load-testing.md). */
  load: { include: ['test/integration/load-*.test.ts'] },
  /** The CDK app: template assertions, cdk-nag, real bundling, the permission contract. */
  infra: { include: ['test/infra/**/*.test.ts'] },
  /** The local page in headless Chromium. */
  e2e: { include: ['test/e2e/**/*.test.ts'] },
} as const;

export default defineConfig({
  test: {
    environment: 'node',
    // Powertools and the AWS SDK print nothing unless a test asks; FC_SEED fixes property tests' draws (see the files).
    setupFiles: ['test/support/quiet.ts', 'test/support/property-seed.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Infra synth and integration suites are heavy; two workers match CI's two cores.
    maxWorkers: 2,
    projects: Object.entries(TEST_PROJECTS).map(([name, files]) => ({
      extends: true,
      test: {
        name,
        include: [...files.include],
        ...('exclude' in files ? { exclude: [...files.exclude] } : {}),
      },
    })),
  },
});
