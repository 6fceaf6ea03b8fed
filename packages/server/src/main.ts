#!/usr/bin/env node
// The `tablehooks` binary. With no arguments it serves (that is `npm start`); everything else
// is a subcommand: `tablehooks --help` lists them.
import { runCli } from './cli/program.js';

await runCli(process.argv.slice(2));
