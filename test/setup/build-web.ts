// Before any test file: bundle the browser pages and memql/client again when
// a source changed since the last build (npm install builds them once), so
// browser and client tests always run today's code.

export default async function setup(): Promise<void> {
  // @ts-expect-error: a plain ESM build script without type declarations
  const { buildWeb, isStale } = (await import('../../web/build.mjs')) as {
    buildWeb(): Promise<boolean>;
    isStale(): Promise<boolean>;
  };
  if (await isStale()) await buildWeb();
}
