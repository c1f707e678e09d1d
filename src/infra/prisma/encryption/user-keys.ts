// The users' data keys: created on a user's first write, stored wrapped by the
// key-encryption key on the User row, and kept unwrapped in a bounded
// in-process cache. Deleting the user row deletes its wrapped key, so what
// the user left elsewhere (webhook payloads, a backup) cannot be decrypted.

import { NotFoundError } from '../../../domain/errors.js';
import { isUuid } from '../../../lib/ids.js';
import type { Prisma, PrismaClient } from '../generated/client.js';
import { DecryptionError, KeyEncryptionKey, TextCipher } from './envelope.js';

const STATE_ID = 'kek';
/** Unwrapped data keys kept in memory (32 bytes each plus the map's overhead). */
export const DEFAULT_KEY_CACHE_ENTRIES = 10_000;

/** Where keys are read: the client, or the transaction a read runs in (the embedded database has one connection). */
export type KeyReader = Pick<Prisma.TransactionClient, 'user'>;

/** Why the server must not start with this key on this database. */
export class EncryptionKeyError extends Error {}

/** The ciphers of a set of users, for sealing before a write and opening after a read. */
export class UserCiphers {
  constructor(private readonly byUser: ReadonlyMap<string, TextCipher>) {}

  of(userPk: string): TextCipher {
    const cipher = this.byUser.get(userPk);
    // A user without a data key has written nothing sealed: a sealed row without one is a deleted user's.
    if (!cipher) throw new DecryptionError(`user ${userPk} has no data key (deleted: its data was shredded)`);
    return cipher;
  }

  seal(userPk: string, plaintext: string): string {
    return this.of(userPk).seal(plaintext);
  }

  sealNullable(userPk: string, plaintext: string | null): string | null {
    return plaintext === null ? null : this.of(userPk).seal(plaintext);
  }

  open(userPk: string, sealed: string): string {
    return this.of(userPk).open(sealed);
  }

  openNullable(userPk: string, sealed: string | null): string | null {
    return sealed === null ? null : this.of(userPk).open(sealed);
  }

  /** A JSON value sealed whole (blob content, a change's snapshot): stored as a JSON string. */
  sealJson(userPk: string, value: unknown): string {
    return this.seal(userPk, JSON.stringify(value));
  }

  openJson(userPk: string, sealed: unknown): unknown {
    if (typeof sealed !== 'string') throw new DecryptionError('a sealed JSON column holds plaintext');
    return JSON.parse(this.open(userPk, sealed));
  }
}

export class UserKeyring {
  private readonly cache = new Map<string, TextCipher>();
  /** Moved by every forget(): a key read across a deletion is not cached. */
  private generation = 0;

  constructor(
    private readonly db: PrismaClient,
    private readonly kek: KeyEncryptionKey,
    private readonly maxEntries = DEFAULT_KEY_CACHE_ENTRIES,
  ) {}

  /**
   * At start: the key must be the one the database was encrypted with (its
   * check value opens), and a database that already holds data in clear is
   * refused (this version does not encrypt existing rows).
   */
  async verify(): Promise<void> {
    const state = await this.db.encryptionState.findUnique({ where: { id: STATE_ID } });
    if (state) {
      if (!this.kek.matches(state.kekCheck))
        throw new EncryptionKeyError(
          'MEMQL_ENCRYPTION_KEY is not the key this database was encrypted with (its check value does not open); ' +
            'start with the right key (or, after a rotation, the new one)',
        );
      return;
    }
    const [stored] = await this.db.$queryRaw<{ plain: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM "Blob") OR EXISTS (SELECT 1 FROM "Memory") AS "plain"`;
    if (stored?.plain)
      throw new EncryptionKeyError(
        'MEMQL_ENCRYPTION_KEY is set, but this database already holds blobs or memories stored without encryption; ' +
          'encryption at rest can only be turned on for a new database (start without the key, or use a new data dir)',
      );
    await this.db.encryptionState.createMany({
      data: [{ id: STATE_ID, kekCheck: this.kek.checkValue() }],
      skipDuplicates: true,
    });
    // Another process may have written its own check at the same moment: the stored one decides.
    await this.verify();
  }

  /**
   * Ciphers for reading `userPks`' rows (through `db` inside a transaction);
   * a user without a key gets none (it has nothing sealed). Also for sealing
   * within a transaction, once forWrite has made sure of the keys.
   */
  async forRead(userPks: Iterable<string>, db: KeyReader = this.db): Promise<UserCiphers> {
    return new UserCiphers(await this.load(userPks, null, db));
  }

  /**
   * Ciphers for writing: a user without a data key gets one now (committed
   * at once, never inside a caller's transaction: a rolled-back key must not
   * stay cached); an unknown user is NOT_FOUND.
   */
  async forWrite(userPks: Iterable<string>): Promise<UserCiphers> {
    return new UserCiphers(await this.load(userPks, this.db, this.db));
  }

  /** After the user's row (and its wrapped key) is deleted. */
  forget(userPk: string): void {
    this.generation++;
    this.cache.delete(userPk);
  }

  /** Re-wraps every data key with `next` (memql rotate-encryption-key); returns how many. */
  async rewrap(next: KeyEncryptionKey): Promise<number> {
    return this.db.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT 1 FROM "EncryptionState" WHERE "id" = ${STATE_ID} FOR UPDATE`;
        const rows = await tx.user.findMany({ where: { dataKey: { not: null } }, select: { pk: true, dataKey: true } });
        for (const row of rows) {
          const dataKey = this.kek.unwrap(row.dataKey!, row.pk);
          await tx.user.update({ where: { pk: row.pk }, data: { dataKey: next.wrap(dataKey, row.pk) } });
        }
        await tx.encryptionState.update({
          where: { id: STATE_ID },
          data: { kekCheck: next.checkValue(), rotatedAt: new Date() },
        });
        return rows.length;
      },
      { timeout: 600_000 },
    );
  }

  private async load(
    userPks: Iterable<string>,
    create: PrismaClient | null,
    db: KeyReader,
  ): Promise<Map<string, TextCipher>> {
    const found = new Map<string, TextCipher>();
    const missing: string[] = [];
    for (const pk of new Set(userPks)) {
      const cached = this.cache.get(pk);
      if (cached) found.set(pk, cached);
      else if (isUuid(pk)) missing.push(pk);
    }
    if (missing.length === 0) return found;
    const generation = this.generation;
    let rows = await db.user.findMany({ where: { pk: { in: missing } }, select: { pk: true, dataKey: true } });
    if (create) {
      const keyless = rows.filter((row) => row.dataKey === null);
      for (const row of keyless) {
        // Only where none is set yet: a concurrent first write of the same user keeps the one that won.
        await create.user.updateMany({
          where: { pk: row.pk, dataKey: null },
          data: { dataKey: this.kek.wrap(this.kek.newDataKey(), row.pk) },
        });
      }
      if (keyless.length > 0)
        rows = await create.user.findMany({ where: { pk: { in: missing } }, select: { pk: true, dataKey: true } });
      const present = new Set(rows.map((row) => row.pk));
      const gone = missing.find((pk) => !present.has(pk));
      if (gone) throw new NotFoundError('User', gone);
    }
    for (const row of rows) {
      if (row.dataKey === null) continue;
      const cipher = new TextCipher(this.kek.unwrap(row.dataKey, row.pk));
      found.set(row.pk, cipher);
      if (this.generation === generation) this.store(row.pk, cipher);
    }
    return found;
  }

  private store(userPk: string, cipher: TextCipher): void {
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(userPk, cipher);
  }
}

/**
 * At start: the keyring for `kek` (MEMQL_ENCRYPTION_KEY), checked against
 * the database; without a key, null, after making sure the database was
 * never encrypted. Throws EncryptionKeyError saying what to fix.
 */
export async function openUserKeyring(db: PrismaClient, kek: Buffer | undefined): Promise<UserKeyring | null> {
  if (!kek) {
    await refuseEncryptedDatabase(db);
    return null;
  }
  const keyring = new UserKeyring(db, new KeyEncryptionKey(kek));
  await keyring.verify();
  return keyring;
}

/** Without MEMQL_ENCRYPTION_KEY: a database that was encrypted must not be served (it would answer ciphertext). */
async function refuseEncryptedDatabase(db: PrismaClient): Promise<void> {
  const state = await db.encryptionState.findUnique({ where: { id: STATE_ID } });
  if (state)
    throw new EncryptionKeyError(
      'this database is encrypted at rest: set MEMQL_ENCRYPTION_KEY to its key-encryption key to start',
    );
}
