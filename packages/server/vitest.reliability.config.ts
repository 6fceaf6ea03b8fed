// The reliability and security suite (issue #7): crashes, receiver faults, SSRF, hostile
// input, tenant isolation, secrets, rate limits. Slower than the unit suite and hard on a
// small machine, so it runs one file at a time; `npm run test:reliability`.

import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The secrets audit greps the logs every other file left behind, so it runs last.
class AuditLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
    const last = (f: TestSpecification) => (f.moduleId.endsWith('secrets-audit.test.ts') ? 1 : 0);
    return sorted.sort((a, b) => last(a) - last(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts', 'test/reliability/support/run-dir.ts'],
    pool: 'forks',
    fileParallelism: false,
    sequence: { sequencer: AuditLast },
    testTimeout: 180_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
