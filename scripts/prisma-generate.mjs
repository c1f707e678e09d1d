// Runs `prisma generate` without network access. The Prisma CLI tries to
// download its native schema engine before every command; pointing
// PRISMA_SCHEMA_ENGINE_BINARY at an executable that exits non-zero skips the
// download (generate does not need the engine). Never point it at /bin/true:
// `migrate deploy` would then exit 0 having applied nothing.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [cli, 'generate'], {
  stdio: 'inherit',
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
});
process.exit(result.status ?? 1);
