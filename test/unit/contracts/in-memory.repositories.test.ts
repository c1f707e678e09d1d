// The in-memory repositories against the same persistence contracts as the
// Prisma adapters (test/infra/prisma/repositories.contract.test.ts).

import { memoryReadsContract } from '../../contracts/memory-reads.contract.js';
import { processingContract } from '../../contracts/processing.contract.js';
import { repositoriesContract } from '../../contracts/repositories.contract.js';
import { createInMemoryRepositories } from '../../fakes/in-memory.repositories.js';

const inMemory = async () => ({ repos: createInMemoryRepositories(), dispose: async () => {} });

repositoriesContract('in-memory fakes', inMemory);
memoryReadsContract('in-memory fakes', inMemory);
processingContract('in-memory fakes', inMemory);
