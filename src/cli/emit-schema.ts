// Writes the running schema's SDL to schema.graphql (committed). Run after
// changing anything under src/schema: `npm run schema:emit`.
import { writeFile } from 'node:fs/promises';
import { buildMemqlSchema, printSdl } from '../schema/index.js';

const target = new URL('../../schema.graphql', import.meta.url);
await writeFile(target, printSdl(await buildMemqlSchema()));
process.stdout.write(`wrote ${target.pathname}\n`);
