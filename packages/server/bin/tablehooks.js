#!/usr/bin/env node
// The `tablehooks` command as npm links it. Checked in, unlike dist/: `npm ci` makes the bin
// link before anything is built, and a link to a file that doesn't exist yet is no link at all
// ("could not determine executable to run"). On a fresh clone the server is built here once,
// on first use, then dist/main.js runs as it always does.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'dist', 'main.js');

if (!existsSync(main)) {
  let tsc;
  try {
    tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    process.stderr.write(
      `tablehooks: not built yet (${main} is missing), and TypeScript isn't installed here to ` +
        'build it. Run `npm ci && npm run build` in the repository first.\n',
    );
    process.exit(2);
  }
  process.stderr.write('tablehooks: building the server once (first run after install)…\n');
  const built = spawnSync(process.execPath, [tsc, '-b', root], { stdio: 'inherit' });
  if (built.status !== 0 || !existsSync(main)) {
    process.stderr.write('tablehooks: the build failed (above); fix it, or run `npm run build`.\n');
    process.exit(built.status || 1);
  }
}

await import(pathToFileURL(main).href);
