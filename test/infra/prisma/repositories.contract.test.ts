// The Prisma adapters against the persistence contracts, on the test
// database: embedded PGlite by default, a fresh database on a PostgreSQL
// server when MEMQL_TEST_DATABASE_URL is set. The in-memory fakes run the
// same suites in test/unit/contracts/.

import { createPrismaClient } from '../../../src/infra/prisma/client.js';
import { createRepositories } from '../../../src/infra/prisma/repositories.js';
import { memoryReadsContract } from '../../contracts/memory-reads.contract.js';
import { processingContract } from '../../contracts/processing.contract.js';
import { type RepositoriesFixture, repositoriesContract } from '../../contracts/repositories.contract.js';
import { createTestDatabase } from '../../helpers/database.js';

const where = process.env.MEMQL_TEST_DATABASE_URL ? 'PostgreSQL server' : 'embedded PGlite';

async function prismaRepositories(): Promise<RepositoriesFixture> {
  const database = await createTestDatabase();
  const prisma = createPrismaClient({ url: database.url, poolMax: database.poolMax });
  return {
    repos: createRepositories(prisma, database.poolMax),
    dispose: async () => {
      await prisma.$disconnect();
      await database.drop();
    },
  };
}

repositoriesContract(`Prisma (${where})`, prismaRepositories);
memoryReadsContract(`Prisma (${where})`, prismaRepositories);
processingContract(`Prisma (${where})`, prismaRepositories);
