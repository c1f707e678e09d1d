// Part of `npm install` (postinstall): makes the embedded database's template,
// an empty initialised PGlite cluster in node_modules/.cache/memql, so that
// the first `npm start` copies it instead of running initdb (10-16 s of CPU;
// src/infra/prisma/embedded-template.ts). Never fails the install: without
// the template the server runs initdb as before and keeps its result.
const { register } = await import('tsx/esm/api');
register();
try {
  const { ensureTemplate } = await import('../src/infra/prisma/embedded-template.ts');
  const started = Date.now();
  if ((await ensureTemplate()) === 'made') {
    console.log(`memql: made the embedded database template in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
} catch (error) {
  console.warn(`memql: no embedded database template (${error?.message ?? error}); the first start will run initdb`);
}
