import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Powertools and the AWS SDK print nothing unless a test asks (see the file).
    setupFiles: ['test/support/quiet.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Infra synth and integration suites are heavy; two workers match CI's two cores.
    maxWorkers: 2,
  },
});
