// API key material. Keys are random, shown once, and stored only as hashes.
import { createHash, randomBytes } from 'node:crypto';

const KEY_PREFIX = 'mq_';

export function generateSecret(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The first characters of a key, kept in clear so a key can be recognised in a list. */
export function secretPrefix(secret: string): string {
  return secret.slice(0, KEY_PREFIX.length + 6);
}
