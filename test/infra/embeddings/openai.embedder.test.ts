import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenAiEmbedder } from '../../../src/infra/embeddings/openai.embedder.js';
import { HttpStatusError } from '../../../src/infra/http/http.errors.js';
import { cosine, embedderContract } from '../../contracts/embedder.contract.js';
import {
  fakeEmbedding,
  startOpenAiEmbeddingsServer,
  type OpenAiEmbeddingsServer,
} from '../../fakes/openai-embeddings-server.js';

let server: OpenAiEmbeddingsServer;

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  server = await startOpenAiEmbeddingsServer({ dimension: 24 });
});

afterAll(async () => {
  await server.stop();
});

const fast = { backoffBaseMs: 1, maxRetryDelayMs: 50 };

embedderContract(
  'OpenAiEmbedder (scripted server)',
  () => OpenAiEmbedder.create({ baseUrl: server.url, model: 'fake-embed', ...fast }),
  {
    semantic: false,
  },
);

describe('OpenAiEmbedder', () => {
  beforeEach(() => {
    server.requests.length = 0;
  });

  it('discovers the dimension with one probe and sends model, input and the bearer key', async () => {
    const embedder = await OpenAiEmbedder.create({
      baseUrl: `${server.url}/`,
      apiKey: 'sk-test-123',
      model: 'fake-embed',
    });
    expect(embedder.dimension).toBe(24);
    expect(embedder.model).toBe('openai:fake-embed');
    expect(server.requests).toHaveLength(1);
    const [probe] = server.requests;
    expect(probe!.path).toBe('/v1/embeddings');
    expect(probe!.headers.authorization).toBe('Bearer sk-test-123');
    expect(probe!.body).toMatchObject({ model: 'fake-embed' });
    expect(probe!.body).not.toHaveProperty('dimensions');
  });

  it('returns vectors in input order even when the server does not, normalised', async () => {
    const embedder = await OpenAiEmbedder.create({ baseUrl: server.url, model: 'fake-embed' });
    const [a, b] = await embedder.embed(['alpha', 'beta']);
    const expected = fakeEmbedding('alpha', 24);
    const length = Math.hypot(...expected);
    expect(
      cosine(
        a!,
        expected.map((value) => value / length),
      ),
    ).toBeCloseTo(1, 6);
    expect(cosine(a!, b!)).toBeLessThan(0.99);
  });

  it('splits large calls into batches', async () => {
    const embedder = new OpenAiEmbedder({ baseUrl: server.url, model: 'fake-embed', maxBatch: 4 });
    const vectors = await embedder.embed(Array.from({ length: 10 }, (_, i) => `text ${i}`));
    expect(vectors).toHaveLength(10);
    expect(server.requests.map((request) => (request.body!.input as string[]).length)).toEqual([4, 4, 2]);
  });

  it('retries a 429 and then succeeds', async () => {
    const embedder = await OpenAiEmbedder.create({ baseUrl: server.url, model: 'fake-embed', ...fast });
    server.requests.length = 0;
    const warnings: object[] = [];
    const logged = new OpenAiEmbedder({
      baseUrl: server.url,
      model: 'fake-embed',
      ...fast,
      logger: { warn: (details) => warnings.push(details) },
    });
    server.enqueue({ status: 429, retryAfterMs: 5 });
    const [vector] = await logged.embed(['after a rate limit']);
    expect(vector).toHaveLength(24);
    expect(server.requests).toHaveLength(2);
    expect(warnings).toEqual([expect.objectContaining({ status: 429, attempt: 1, delayMs: 5 })]);
    expect(embedder.dimension).toBe(24);
  });

  it('gives up on repeated 500s with an error naming the endpoint, the status and the attempts', async () => {
    const embedder = new OpenAiEmbedder({
      baseUrl: server.url,
      model: 'fake-embed',
      dimension: 24,
      maxRetries: 2,
      ...fast,
    });
    server.enqueue({ status: 500, body: { error: { message: 'model overloaded' } } }, { status: 502 }, { status: 503 });
    const error = await embedder.embed(['x']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as Error).message).toBe(
      `Embeddings request to ${server.url}/embeddings (model fake-embed) failed after 3 attempts: HTTP 503: scripted failure 503`,
    );
    expect(error).toMatchObject({ status: 503, attempts: 3, retryable: true });
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a 401 and never shows the key', async () => {
    const embedder = new OpenAiEmbedder({
      baseUrl: server.url,
      apiKey: 'sk-secret-456',
      model: 'fake-embed',
      dimension: 24,
      ...fast,
    });
    server.enqueue({ status: 401, body: { error: { message: 'Incorrect API key provided: sk-secret-456' } } });
    const error = (await embedder.embed(['x']).catch((caught: unknown) => caught)) as HttpStatusError;
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error.message).toContain('HTTP 401');
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain('sk-secret-456');
    expect(error.retryable).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('times out a hanging request and retries it', async () => {
    const embedder = new OpenAiEmbedder({ baseUrl: server.url, model: 'fake-embed', timeoutMs: 100, ...fast });
    server.enqueue({ delayMs: 400 });
    expect(await embedder.embed(['slow'])).toHaveLength(1);
    expect(server.requests).toHaveLength(2);
  });

  it('fails create() clearly when nothing listens, and rejects bad configuration', async () => {
    const port = await closedPort();
    await expect(
      OpenAiEmbedder.create({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm', maxRetries: 0 }),
    ).rejects.toThrow(
      `Embeddings request to http://127.0.0.1:${port}/v1/embeddings (model m) failed after 1 attempt: network error (ECONNREFUSED)`,
    );
    expect(() => new OpenAiEmbedder({ baseUrl: 'not a url', model: 'm' })).toThrow(/not a valid URL/);
    expect(() => new OpenAiEmbedder({ baseUrl: 'http://user:pw@host/v1', model: 'm' })).toThrow(/credentials/);
    expect(() => new OpenAiEmbedder({ baseUrl: server.url, model: 'm' }).dimension).toThrow(/create\(\)/);
  });

  it('checks a configured dimension and can request it', async () => {
    await expect(OpenAiEmbedder.create({ baseUrl: server.url, model: 'fake-embed', dimension: 1536 })).rejects.toThrow(
      /has 24 dimensions, expected 1536/,
    );
    const shortened = await OpenAiEmbedder.create({
      baseUrl: server.url,
      model: 'fake-embed',
      dimension: 8,
      requestDimensions: true,
    });
    expect(shortened.dimension).toBe(8);
    expect(server.requests.at(-1)!.body).toMatchObject({ dimensions: 8 });
  });

  it('reports a malformed answer without retrying', async () => {
    const embedder = new OpenAiEmbedder({ baseUrl: server.url, model: 'fake-embed', ...fast });
    server.enqueue({ body: { data: [{ embedding: 'nope', index: 0 }] } });
    await expect(embedder.embed(['x'])).rejects.toThrow(
      /unexpected response: embedding 0 is not an array of finite numbers/,
    );
    expect(server.requests).toHaveLength(1);
  });
});
