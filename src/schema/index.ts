// Builds the executable schema from the code-first resolvers. The printed SDL
// is committed as schema.graphql; a test fails when the two drift apart.

import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { BlobResolver } from './blob/blob.resolver.js';
import { UserContextResolver } from './context/context.resolver.js';
import { ExportResolver } from './exports/export.resolver.js';
import { ImportResolver } from './exports/import.resolver.js';
import { MemoryExportResolver } from './exports/memory-export.resolver.js';
import { BufferResolver } from './memory/buffer.resolver.js';
import {
  MemoryChangeResolver,
  MemoryEventResolver,
  MemoryResolver,
  UserMemoryResolver,
} from './memory/memory.resolver.js';
import { ProfileConfigResolver } from './memory/profile-config.resolver.js';
import { MemorySubscriptionResolver } from './memory/subscription.resolver.js';
import { ProjectResolver } from './project/project.resolver.js';
import { SearchResolver } from './search/search.resolver.js';
import { ProjectUsageResolver, UserUsageResolver } from './usage/usage.resolver.js';
import { UserResolver } from './user/user.resolver.js';
import { WebhookResolver } from './webhook/webhook.resolver.js';

const unusedTopicPubSub = {
  publish(): never {
    throw new Error('memql subscriptions use the EventBus, not topic pubsub');
  },
  subscribe(): never {
    throw new Error('memql subscriptions use the EventBus, not topic pubsub');
  },
};

export async function buildMemqlSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [
      ProjectResolver,
      UserResolver,
      BlobResolver,
      SearchResolver,
      MemoryResolver,
      MemoryChangeResolver,
      MemoryEventResolver,
      UserMemoryResolver,
      UserContextResolver,
      MemoryExportResolver,
      ExportResolver,
      ImportResolver,
      BufferResolver,
      ProfileConfigResolver,
      MemorySubscriptionResolver,
      ProjectUsageResolver,
      UserUsageResolver,
      WebhookResolver,
    ],
    // Input is validated once, in the domain, with field-named errors.
    validate: false,
    // Every subscription here brings its own `subscribe` over the EventBus
    // (filtered by project), so type-graphql's topic pubsub is never used;
    // it insists on one being configured whenever subscriptions exist.
    pubSub: unusedTopicPubSub,
  });
}

/** The SDL as committed in schema.graphql (sorted, so diffs stay readable). */
export function printSdl(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
