// Recognising the database errors the repositories turn into domain errors.

import { Prisma } from './generated/client.js';

/** A unique constraint refused the write (Prisma P2002). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
