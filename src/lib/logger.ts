// One structured logger (pino) for the whole server.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'memql'): Logger {
  return pino({ name, level, redact: ['req.headers.authorization', '*.apiKey', '*.secret'] });
}
