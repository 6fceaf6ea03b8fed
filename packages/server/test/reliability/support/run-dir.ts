// One folder per reliability run: every test file writes the logs it saw (its in-process
// app's and its subprocesses') and the secrets it used there, and the secrets audit, which
// runs last, greps all of them. Kept on failure (the path is printed), removed on success.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    reliabilityRunDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'tablehooks-reliability-'));
  mkdirSync(join(dir, 'logs'));
  mkdirSync(join(dir, 'secrets'));
  project.provide('reliabilityRunDir', dir);
  process.stdout.write(`\n  reliability run folder (logs, secrets, results): ${dir}\n\n`);
  return () => {
    if (process.env.TABLEHOOKS_KEEP_RUN_DIR !== '1' && process.exitCode !== 1) {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
