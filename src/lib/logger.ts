// One structured logger (pino) for the whole server.
import { destination, pino, type Logger } from 'pino';

export type { Logger };

/** `to`: the file descriptor to write to (1, stdout, for the server; 2, stderr, for the memql command, whose stdout is its results). */
export function createLogger(level: string, name = 'memql', to: 1 | 2 = 1): Logger {
  return pino(
    { name, level, redact: ['req.headers.authorization', '*.apiKey', '*.secret'] },
    to === 1 ? undefined : destination(2),
  );
}
