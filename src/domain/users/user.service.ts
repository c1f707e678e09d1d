// Use cases for the app's users. A user's id is the app's own, unique within
// a project; every lookup is scoped by the caller's project.

import { randomUUID } from 'node:crypto';
import { BadInputError, NotFoundError } from '../errors.js';
import type { EventBus, ExportFileStore, UserRepository } from '../ports.js';
import type { Page, UserRecord, Viewer } from '../types.js';
import { jsonObject, pageRequest } from '../validation.js';

const MAX_USER_DATA_BYTES = 64 * 1024;

export interface CreateUserCommand {
  id?: string | null;
  data?: unknown;
}

export class UserService {
  constructor(
    private readonly users: UserRepository,
    private readonly events: EventBus,
    /** Where the files of the exports deleted with a user are removed. */
    private readonly exportFiles: Pick<ExportFileStore, 'remove'>,
  ) {}

  async create(viewer: Viewer, input: CreateUserCommand): Promise<UserRecord> {
    const externalId = input.id === null || input.id === undefined ? randomUUID() : userId('input.id', input.id);
    const data = jsonObject('input.data', input.data, MAX_USER_DATA_BYTES) ?? {};
    return this.users.create(viewer.projectId, { externalId, data });
  }

  async update(viewer: Viewer, id: string, input: { data: unknown }): Promise<UserRecord> {
    const user = await this.require(viewer, id);
    const data = jsonObject('input.data', input.data, MAX_USER_DATA_BYTES);
    if (data === null) throw new BadInputError('input.data', 'must be a JSON object');
    return this.users.update(user.pk, { data }).catch((error: unknown) => {
      // Deleted meanwhile: NOT_FOUND by the id the client knows, not the internal key.
      if (error instanceof NotFoundError) throw new NotFoundError('User', id);
      throw error;
    });
  }

  /**
   * Removes the user, its blobs, (through the index outbox) its vectors, and
   * the lossless exports of that user alone with their files. Exports of
   * several users are the project's backups: they keep the user's data until
   * their retention ends (README, "Export a project").
   */
  async delete(viewer: Viewer, id: string): Promise<boolean> {
    const user = await this.require(viewer, id);
    const { exportIds } = await this.users.delete(user);
    for (const exportId of exportIds) await this.exportFiles.remove(exportId);
    // Its live subscriptions end, on every process.
    await this.events.publish({ type: 'user.deleted', projectId: user.projectId, userPk: user.pk });
    return true;
  }

  /** Null when absent or in another project. */
  async find(viewer: Viewer, id: string): Promise<UserRecord | null> {
    if (id.length < 1 || id.length > 128) return null;
    return this.users.findByExternalId(viewer.projectId, id);
  }

  /** The user, or NOT_FOUND. */
  async require(viewer: Viewer, id: string): Promise<UserRecord> {
    const user = await this.find(viewer, id);
    if (!user) throw new NotFoundError('User', id);
    return user;
  }

  list(viewer: Viewer, first: number | null | undefined, after: string | null | undefined): Promise<Page<UserRecord>> {
    return this.users.list(viewer.projectId, pageRequest(first, after, 'text'));
  }
}

function userId(field: string, id: string): string {
  if (id.length < 1 || id.length > 128) throw new BadInputError(field, `must be 1-128 characters (got ${id.length})`);
  // Control characters in an id are always a client bug and break logs and cursors.
  if (/\p{Cc}/u.test(id)) throw new BadInputError(field, 'must not contain control characters');
  return id;
}
