// Writes README's configuration table from SETTINGS (src/config.ts), between its markers.
import { readFileSync, writeFileSync } from 'node:fs';
import { configTable } from '../src/config.js';

const README = new URL('../../../README.md', import.meta.url);
const START = /<!-- generated from SETTINGS[^>]*-->\n/;
const END = '<!-- end of generated table -->';

const text = readFileSync(README, 'utf8');
const start = START.exec(text);
const end = text.indexOf(END);
if (!start || end < 0) throw new Error('README.md has lost the markers of its configuration table');
const from = start.index + start[0].length;
writeFileSync(README, text.slice(0, from) + configTable() + text.slice(end));
