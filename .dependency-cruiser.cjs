// Architecture boundaries (STYLE.md, "The shape of the house"), checked by
// `npm run lint`. Data flows one way: server -> schema -> domain -> ports,
// and adapters in infra/ implement the ports. A rule broken here fails CI.

/** Packages that bring a framework, a transport or a store: never in the domain. */
const FRAMEWORK_PACKAGES = [
  'graphql',
  'graphql-ws',
  'graphql-scalars',
  'type-graphql',
  '@apollo',
  '@prisma',
  'prisma',
  'pg',
  '@electric-sql',
  'chromadb',
  'ioredis',
  'ws',
  'dataloader',
  'pino',
  '@energetic-ai',
  'zod',
];
const packagePath = `^node_modules/(${FRAMEWORK_PACKAGES.map((name) => name.replace(/[.@/]/g, '\\$&')).join('|')})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-stays-inside',
      comment: 'The domain uses ports (domain/ports.ts); it never reaches adapters, resolvers, transport or wiring.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/(infra|schema|server|loaders|cli)/|^src/(app|context|config|index)\\.ts$' },
    },
    {
      name: 'domain-has-no-framework',
      comment: 'Domain logic is plain TypeScript: no GraphQL, ORM, vector store, transport or logger package.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: packagePath },
    },
    {
      name: 'schema-never-reaches-infra',
      comment: 'Resolvers reach the domain through the context, never an adapter.',
      severity: 'error',
      from: { path: '^src/schema/' },
      to: { path: '^src/(infra|server|cli)/|^src/(app|config|index)\\.ts$' },
    },
    {
      name: 'adapters-are-independent',
      comment:
        'One adapter never imports another; app.ts wires them together. infra/http is the one shared client for OpenAI-compatible endpoints.',
      severity: 'error',
      from: { path: '^src/infra/([^/]+)/' },
      to: { path: '^src/infra/', pathNot: '^src/infra/($1|http)/' },
    },
    {
      name: 'infra-never-reaches-up',
      comment: 'Adapters implement ports; they know nothing of resolvers, loaders, transport or wiring.',
      severity: 'error',
      from: { path: '^src/infra/' },
      to: { path: '^src/(schema|server|loaders|cli)/|^src/(app|context|index)\\.ts$' },
    },
    {
      name: 'client-is-standalone',
      comment: 'src/client is memql/client, shipped to apps and browsers: it imports nothing else from src/.',
      severity: 'error',
      from: { path: '^src/client/' },
      to: { path: '^src/', pathNot: '^src/client/' },
    },
    {
      name: 'lib-is-leaf',
      comment: 'lib/ holds small pure helpers that import nothing else from src/.',
      severity: 'error',
      from: { path: '^src/lib/' },
      to: { path: '^src/', pathNot: '^src/lib/' },
    },
    {
      name: 'only-config-reads-the-environment',
      comment: 'config.ts is the one reader of process.env (checked by Biome); nothing but the entry points import it.',
      severity: 'error',
      from: { path: '^src/(domain|schema|infra|lib|loaders)/' },
      to: { path: '^src/config\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes load order matter and layers blur.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve is a typo or a missing dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/infra/prisma/generated/' },
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
