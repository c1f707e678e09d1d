// Recognising the database errors the repositories turn into domain errors.

import { Prisma } from './generated/client.js';

/**
 * A foreign key refused the write: the row it points at is gone (a user
 * deleted while a blob for it was being written). Prisma reports P2003 for
 * its own queries; a raw statement fails with PostgreSQL's SQLSTATE 23503,
 * which the driver adapter carries in `meta` or the cause chain.
 */
export function isForeignKeyViolation(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof Prisma.PrismaClientKnownRequestError && current.code === 'P2003') return true;
    const candidate = current as { code?: unknown; meta?: { code?: unknown }; message?: unknown; cause?: unknown };
    if (candidate.code === '23503' || candidate.meta?.code === '23503') return true;
    if (typeof candidate.message === 'string' && /violates foreign key constraint/.test(candidate.message)) return true;
    current = candidate.cause;
  }
  return false;
}

/**
 * The statement never ran: every pooled connection stayed busy for the
 * acquire timeout (pg-pool's "timeout exceeded when trying to connect"; an
 * interactive transaction's maxWait is Prisma's P2028 "Unable to start a
 * transaction in the given time"). The server is overloaded; the same request
 * may well succeed a moment later.
 */
export function isConnectionWaitTimeout(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; cause?: unknown };
    const message = typeof candidate.message === 'string' ? candidate.message : '';
    if (message.includes('timeout exceeded when trying to connect')) return true;
    if (candidate.code === 'P2028' && message.includes('Unable to start a transaction in the given time')) return true;
    current = candidate.cause;
  }
  return false;
}

/** A unique constraint refused the write (Prisma P2002). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
