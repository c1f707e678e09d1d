// Prisma CLI configuration. memql applies migrations itself at start (see
// src/infra/prisma/migrate.ts), so the CLI only needs this for `generate` and,
// where it can download its engine, the stock `migrate` commands.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/memql' },
});
