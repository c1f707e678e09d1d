// @prisma/streams-local backs `prisma dev` (Prisma's local Postgres server)
// and requires Node 22. memql does not use `prisma dev` (it embeds PGlite
// itself), so package.json overrides it with this stand-in: `npm ci` then
// installs cleanly on Node 20. Anything that does call it is told why.
export async function startLocalDurableStreamsServer() {
  throw new Error(
    '`prisma dev` is not available in memql: @prisma/streams-local is replaced (see package.json overrides)',
  );
}
