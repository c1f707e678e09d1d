// A TCP front for the embedded PGlite server, which serves one connection
// at a time: it lets one client through and queues the others (first come,
// first served) instead of refusing them. Runs inside the embedded
// database's worker thread (embedded-postgres.worker.ts).

import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

/** Resolves true once `condition` holds, false after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return true;
}

/**
 * A TCP front that lets one client at a time through to the PGlite server
 * and queues the others (first come, first served). A queued client's bytes
 * (its startup packet) stay buffered in its socket until it is let through.
 */
export class ConnectionQueue {
  private readonly waiting: { socket: Socket; timer: NodeJS.Timeout }[] = [];
  private readonly sockets = new Set<Socket>();
  private active: { client: Socket; upstream: Socket } | null = null;
  private closed = false;

  private constructor(
    private readonly server: Server,
    readonly address: string,
    private readonly options: ConnectionQueueOptions,
  ) {
    server.on('connection', (socket) => this.enqueue(socket));
  }

  static async listen(options: ConnectionQueueOptions): Promise<ConnectionQueue> {
    const server = createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = server.address() as AddressInfo;
    return new ConnectionQueue(server, `${options.host}:${bound.port}`, options);
  }

  private enqueue(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.on('error', () => socket.destroy());
    const entry = {
      socket,
      timer: setTimeout(() => {
        this.remove(entry);
        socket.end(tooManyConnections(this.options.queueTimeoutMs), () => socket.destroy());
      }, this.options.queueTimeoutMs),
    };
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.remove(entry);
    });
    this.waiting.push(entry);
    void this.next();
  }

  private remove(entry: { socket: Socket; timer: NodeJS.Timeout }): void {
    clearTimeout(entry.timer);
    const i = this.waiting.indexOf(entry);
    if (i >= 0) this.waiting.splice(i, 1);
  }

  private async next(): Promise<void> {
    if (this.active || this.closed) return;
    const entry = this.waiting.shift();
    if (!entry) return;
    clearTimeout(entry.timer);
    const client = entry.socket;
    const upstream = new Socket();
    this.active = { client, upstream };
    // The previous connection may still be detaching inside the PGlite server.
    await waitFor(this.options.upstreamIdle, 5_000);
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      client.destroy();
      upstream.destroy();
      this.active = null;
      void this.next();
    };
    client.on('close', finish);
    upstream.on('close', finish);
    upstream.on('error', finish);
    client.on('error', finish);
    if (this.closed || client.destroyed) {
      finish();
      return;
    }
    upstream.connect(this.options.upstream.port, this.options.upstream.host, () => {
      upstream.setNoDelay(true);
      client.setNoDelay(true);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.waiting.splice(0)) {
      clearTimeout(entry.timer);
      entry.socket.destroy();
    }
    if (this.active) this.active.upstream.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface ConnectionQueueOptions {
  host: string;
  port: number;
  upstream: { host: string; port: number };
  upstreamIdle: () => boolean;
  queueTimeoutMs: number;
}

/** A PostgreSQL ErrorResponse: FATAL 53300 too_many_connections. */
function tooManyConnections(waitedMs: number): Buffer {
  const fields = [
    ['S', 'FATAL'],
    ['V', 'FATAL'],
    ['C', '53300'],
    ['M', `the embedded database serves one connection at a time and the current one stayed open for more than ${waitedMs} ms; use a pool of max 1 and release it`],
  ];
  const body = Buffer.concat([...fields.map(([code, text]) => Buffer.from(`${code}${text}\0`, 'utf8')), Buffer.from([0])]);
  const header = Buffer.alloc(5);
  header.write('E', 0, 'ascii');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
