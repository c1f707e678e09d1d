// The `rerank` argument of User.query and searchMemories.

export const RERANK_ARG = {
  nullable: true,
  description:
    "Reorder the best candidates with the configured reranker (MEMQL_RERANK_BASE_URL); unset: rerank when one is configured. true without one is BAD_USER_INPUT. The response's extensions.notices says how it went for this field: RERANKED, or RERANK_TIMEOUT / RERANK_FAILED with the first ranking kept.",
} as const;
