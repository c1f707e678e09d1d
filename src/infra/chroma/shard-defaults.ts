// The shard size memql was measured with (docs/vector-partitioning.md,
// "The chosen layout"). The one place the number lives: the vector store's
// default and MEMQL_VECTOR_SHARD_RECORDS's default (src/config.ts) read it.

/** Records a shared shard collection holds before new users go to another. */
export const DEFAULT_SHARD_TARGET_RECORDS = 2_000;
