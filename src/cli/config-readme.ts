// Writes README's configuration table from the declarations in src/config.ts:
// `npm run config:readme` after adding or changing a setting.
// test/config/settings.test.ts fails while the two differ.
import { readFile, writeFile } from 'node:fs/promises';
import { replaceSettingsTable, settingsTable } from '../config.js';

const readme = new URL('../../README.md', import.meta.url);
const before = await readFile(readme, 'utf8');
const after = replaceSettingsTable(before, settingsTable());
if (after === before) {
  process.stdout.write('README.md: the configuration table is up to date\n');
} else {
  await writeFile(readme, after);
  process.stdout.write(`wrote the configuration table in ${readme.pathname}\n`);
}
