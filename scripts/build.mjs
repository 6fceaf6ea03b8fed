#!/usr/bin/env node
// `npm start` and `npm run build`: builds the server (TypeScript) and the settings UI (Vite),
// each only when one of its inputs is newer than its last build. A second `npm start` with
// nothing changed used to spend 15 s rebuilding both; now it starts at once.
// `node scripts/build.mjs --force` builds both regardless.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');

/** The newest modification time under these paths (files and folders, recursively). */
function newest(paths) {
  let latest = 0;
  const visit = (path) => {
    if (!existsSync(path)) return;
    const s = statSync(path);
    latest = Math.max(latest, s.mtimeMs);
    if (s.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  for (const p of paths) visit(join(root, p));
  return latest;
}

const builtAt = (path) => (existsSync(join(root, path)) ? statSync(join(root, path)).mtimeMs : 0);

// What each build reads, and the file it writes last. A changed lockfile may mean a new
// compiler or bundler, so both depend on it too.
const targets = [
  {
    name: 'server',
    inputs: [
      'packages/server/src',
      'packages/server/tsconfig.json',
      'packages/server/package.json',
      'tsconfig.base.json',
      'package-lock.json',
    ],
    output: 'packages/server/dist/.tsbuildinfo',
    run: ['npm', ['run', 'build', '--silent', '-w', '@tablehooks/server']],
  },
  {
    name: 'settings UI',
    inputs: [
      'packages/web/src',
      'packages/web/public',
      'packages/web/index.html',
      'packages/web/vite.config.ts',
      'packages/web/tsconfig.json',
      'packages/web/package.json',
      'package-lock.json',
    ],
    output: 'packages/web/dist/index.html',
    run: ['npm', ['run', 'build', '--silent', '-w', '@tablehooks/web']],
  },
];

for (const t of targets) {
  const built = builtAt(t.output);
  if (!force && built > 0 && built >= newest(t.inputs)) {
    process.stdout.write(`${t.name}: up to date\n`);
    continue;
  }
  process.stdout.write(`${t.name}: building…\n`);
  const [cmd, args] = t.run;
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
