// A minimal GraphQL-over-HTTP client for the benchmark scripts: POST, JSON,
// Bearer key, keep-alive connections (Node's fetch pools them).

export class GraphQLError extends Error {
  constructor(
    message: string,
    readonly errors: unknown,
  ) {
    super(message);
  }
}

export class BenchClient {
  constructor(
    readonly url: string,
    private readonly apiKey: string,
  ) {}

  /** The data of a request that must succeed; throws with the errors otherwise. */
  async request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiKey}` },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    let body: { data?: T | null; errors?: { message: string }[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new GraphQLError(`HTTP ${response.status}: ${text.slice(0, 200)}`, null);
    }
    if (body.errors?.length || !body.data) {
      throw new GraphQLError(
        `GraphQL errors: ${body.errors?.map((e) => e.message).join('; ') ?? 'no data'}`,
        body.errors,
      );
    }
    return body.data;
  }
}

/** Runs `task` over `items` with at most `concurrency` in flight; results in item order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  });
  await Promise.all(workers);
  return results;
}
