// The CLI's client for a running server's GraphQL API: POSTs an operation
// with the key, maps GraphQL error codes and connection failures to exit
// codes (exit-codes.ts).

import { CliError, EXIT, type ExitCode } from './exit-codes.js';

interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; field?: string };
}

/** Which exit code a GraphQL error code means. */
function exitCodeOf(code: string | undefined): ExitCode {
  switch (code) {
    case 'UNAUTHENTICATED':
    case 'FORBIDDEN':
      return EXIT.REFUSED;
    case 'NOT_FOUND':
      return EXIT.NOT_FOUND;
    case 'BAD_USER_INPUT':
    case 'CONFLICT':
    case 'GRAPHQL_VALIDATION_FAILED':
      return EXIT.USAGE;
    default:
      return EXIT.FAILED;
  }
}

export class ApiClient {
  constructor(
    /** The GraphQL endpoint, e.g. http://127.0.0.1:8019/graphql. */
    readonly url: string,
    private readonly key: string | null,
    private readonly timeoutMs = 60_000,
  ) {}

  /** A GET of another path of the server (e.g. /exports/{id}), with the key; a CliError when it is not 200. */
  async get(pathname: string, headers: Record<string, string> = {}): Promise<Response> {
    if (!this.key) throw new CliError(EXIT.REFUSED, 'no API key: pass --key-file FILE, or set MEMQL_KEY');
    const target = new URL(pathname, this.url);
    let response: Response;
    try {
      response = await fetch(target, { headers: { authorization: `Bearer ${this.key}`, ...headers } });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new CliError(EXIT.UNREACHABLE, `cannot reach memql at ${target.origin} (${cause})`);
    }
    if (response.status === 200) return response;
    const text = (await response.text()).trim();
    const code = response.status === 404 ? EXIT.NOT_FOUND : response.status === 401 ? EXIT.REFUSED : EXIT.FAILED;
    throw new CliError(code, `GET ${target.pathname}: HTTP ${response.status} ${text}`);
  }

  /** A POST of a streamed body to another path (e.g. /imports), with the key; its JSON answer, or a CliError. */
  async post<T>(pathname: string, body: AsyncIterable<Uint8Array>, headers: Record<string, string> = {}): Promise<T> {
    if (!this.key) throw new CliError(EXIT.REFUSED, 'no API key: pass --key-file FILE, or set MEMQL_KEY');
    const target = new URL(pathname, this.url);
    let response: Response;
    try {
      response = await fetch(target, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.key}`, ...headers },
        body: body as unknown as ReadableStream<Uint8Array>,
        duplex: 'half',
      } as RequestInit);
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new CliError(EXIT.UNREACHABLE, `cannot reach memql at ${target.origin} (${cause})`);
    }
    if (response.status === 200 || response.status === 201) return (await response.json()) as T;
    const text = (await response.text()).trim();
    const code = response.status === 401 || response.status === 403 ? EXIT.REFUSED : EXIT.FAILED;
    throw new CliError(code, `POST ${target.pathname}: HTTP ${response.status} ${text}`);
  }

  /** The operation's data; a CliError with the right exit code when it fails. */
  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    if (!this.key)
      throw new CliError(
        EXIT.REFUSED,
        'no API key: pass --key-file FILE, or set MEMQL_KEY (or MEMQL_ADMIN_KEY; the embedded default keeps it in MEMQL_DATA_DIR/admin.key)',
      );
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new CliError(
        EXIT.UNREACHABLE,
        `cannot reach memql at ${this.url} (${cause}): is the server running? Point --url (or MEMQL_URL) at it`,
      );
    }
    let body: { data?: T | null; errors?: GraphQLErrorShape[] };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new CliError(EXIT.FAILED, `${this.url} answered HTTP ${response.status} without a GraphQL response`);
    }
    const error = body.errors?.[0];
    if (error) {
      const code = error.extensions?.code;
      const field = error.extensions?.field ? ` (${error.extensions.field})` : '';
      throw new CliError(exitCodeOf(code), `${error.message}${field}${code ? ` [${code}]` : ''}`);
    }
    if (!body.data) throw new CliError(EXIT.FAILED, `${this.url} answered HTTP ${response.status} without data`);
    return body.data;
  }
}
