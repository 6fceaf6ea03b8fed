import { defineConfig } from 'vitest/config';

// End-to-end tests: a real server subprocess and a real Chromium, one file at a time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
