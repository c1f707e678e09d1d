// Envelope encryption at rest (MEMQL_ENCRYPTION_KEY): AES-256-GCM from
// node:crypto, one random data key per user, wrapped by the key-encryption
// key (KEK) and stored on the user's row. Text columns hold a sealed string
// `mqe1:` + base64(iv | ciphertext | tag); a fresh 96-bit iv per value.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Marks a sealed value. The tsvector triggers (encryption migration) test for it: keep them in step. */
export const SEALED_PREFIX = 'mqe1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/** What a KEK check value seals: opening it with another key fails (GCM's tag), it never yields garbage. */
const KEK_CHECK_PLAINTEXT = 'memql key-encryption key check v1';

export class DecryptionError extends Error {}

function seal(key: Buffer, plaintext: Buffer, aad: Buffer | null): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (aad) cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function open(key: Buffer, sealed: Buffer, aad: Buffer | null, what: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new DecryptionError(`${what}: too short to be sealed`);
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new DecryptionError(`${what}: cannot be decrypted with this key`);
  }
}

/** A user's text sealer: what the repositories seal before writing and open after reading. */
export class TextCipher {
  constructor(private readonly key: Buffer) {}

  seal(plaintext: string): string {
    return SEALED_PREFIX + seal(this.key, Buffer.from(plaintext, 'utf8'), null).toString('base64');
  }

  open(sealed: string): string {
    if (!sealed.startsWith(SEALED_PREFIX)) throw new DecryptionError('a column expected sealed holds plaintext');
    return open(this.key, Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64'), null, 'a sealed value').toString(
      'utf8',
    );
  }
}

/** The key-encryption key: wraps and unwraps the users' data keys (bound to the user's pk as AAD). */
export class KeyEncryptionKey {
  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`a key-encryption key is ${KEY_BYTES} bytes`);
  }

  newDataKey(): Buffer {
    return randomBytes(KEY_BYTES);
  }

  /** A plain Uint8Array (its own ArrayBuffer), as the database client takes bytes. */
  wrap(dataKey: Buffer, userPk: string): Uint8Array<ArrayBuffer> {
    return new Uint8Array(seal(this.key, dataKey, Buffer.from(userPk, 'utf8')));
  }

  unwrap(wrapped: Uint8Array, userPk: string): Buffer {
    return open(this.key, Buffer.from(wrapped), Buffer.from(userPk, 'utf8'), `the data key of user ${userPk}`);
  }

  checkValue(): string {
    return seal(this.key, Buffer.from(KEK_CHECK_PLAINTEXT), null).toString('base64');
  }

  /** Whether `check` was made by checkValue() with this key. */
  matches(check: string): boolean {
    try {
      return open(this.key, Buffer.from(check, 'base64'), null, 'the KEK check').toString() === KEK_CHECK_PLAINTEXT;
    } catch {
      return false;
    }
  }
}
