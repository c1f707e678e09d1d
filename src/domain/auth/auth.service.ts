// Projects, API keys and turning a bearer token into a Viewer.

import { isUuid } from '../../lib/ids.js';
import { generateSecret, hashSecret, secretPrefix } from '../../lib/secrets.js';
import { BadInputError, ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors.js';
import type { ApiKeyRepository, EventBus, Log, ProjectRepository } from '../ports.js';
import type { ApiKeyRecord, Project, Viewer } from '../types.js';

/** Admin keys act on this project when they touch data. */
export const DEFAULT_PROJECT_NAME = 'default';

export interface CreatedApiKey {
  key: ApiKeyRecord;
  /** Shown once, never stored in clear. */
  secret: string;
}

/** lastUsedAt is written at most this often per key (a write per request would cost more than the request). */
export const KEY_USE_RECORD_MS = 60_000;

export class AuthService {
  /** When each key's use was last recorded, in this process. */
  private readonly recordedUse = new Map<string, number>();

  constructor(
    private readonly projects: ProjectRepository,
    private readonly apiKeys: ApiKeyRepository,
    private readonly events: EventBus,
    private readonly log: Log,
  ) {}

  /** Resolves an `Authorization` header value ("Bearer <key>") to the caller. */
  async authenticate(authorization: string | undefined | null): Promise<Viewer> {
    if (!authorization)
      throw new UnauthenticatedError('Missing Authorization header: send "Authorization: Bearer <api key>"');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) throw new UnauthenticatedError('Authorization must be "Bearer <api key>"');
    const key = await this.apiKeys.findActiveByHash(hashSecret(match[1]));
    if (!key) throw new UnauthenticatedError('Unknown or revoked API key');
    this.recordUse(key.id);
    return { projectId: key.projectId, role: key.role, keyId: key.id };
  }

  /** Writes lastUsedAt in the background, at most once per KEY_USE_RECORD_MS and key. */
  private recordUse(keyId: string): void {
    const now = Date.now();
    if (now - (this.recordedUse.get(keyId) ?? 0) < KEY_USE_RECORD_MS) return;
    this.recordedUse.set(keyId, now);
    if (this.recordedUse.size > 100_000) this.recordedUse.clear();
    this.apiKeys.touch(keyId, new Date(now)).catch((error: unknown) => {
      this.log.warn({ err: error, keyId }, 'could not record when an API key was used');
    });
  }

  /**
   * Creates the default project and makes sure `adminSecret` is its active
   * admin key. Admin keys are rows like any key: one configured (or
   * generated) at a time, so any other active admin key is the one this
   * replaces, and is revoked (rotation: change MEMQL_ADMIN_KEY, restart).
   */
  async bootstrap(adminSecret: string): Promise<Project> {
    const project =
      (await this.projects.findByName(DEFAULT_PROJECT_NAME)) ??
      (await this.createProjectIgnoringRace(DEFAULT_PROJECT_NAME));
    const hash = hashSecret(adminSecret);
    let current = await this.apiKeys.findActiveByHash(hash);
    if (!current) {
      try {
        current = await this.apiKeys.create({
          projectId: project.id,
          name: 'admin',
          role: 'admin',
          hash,
          prefix: secretPrefix(adminSecret),
        });
      } catch (error) {
        // Two processes starting with the same key: the loser reads the winner's row.
        current = await this.apiKeys.findActiveByHash(hash);
        if (!current) throw error;
      }
    }
    for (const old of await this.apiKeys.listActiveByRole('admin')) {
      if (old.id === current.id) continue;
      await this.apiKeys.revoke(old.id);
      await this.events.publish({ type: 'key.revoked', projectId: old.projectId, keyId: old.id });
      this.log.warn(
        { keyId: old.id, prefix: old.prefix, createdAt: old.createdAt },
        'the admin key changed: revoked the previous admin key',
      );
    }
    return project;
  }

  /** Admin only: every project, oldest first (to find a key's project). */
  async listProjects(viewer: Viewer): Promise<Project[]> {
    requireAdmin(viewer);
    return this.projects.list();
  }

  /** Admin only: a project's keys, revoked ones too; never a secret. */
  async listApiKeys(viewer: Viewer, projectId: string): Promise<ApiKeyRecord[]> {
    requireAdmin(viewer);
    const project = isUuid(projectId) ? await this.projects.findById(projectId) : null;
    if (!project) throw new NotFoundError('Project', projectId);
    return this.apiKeys.listByProject(project.id);
  }

  async createProject(viewer: Viewer, name: string): Promise<Project> {
    requireAdmin(viewer);
    const trimmed = name.trim();
    if (trimmed.length < 1 || trimmed.length > 128) throw new BadInputError('name', 'must be 1-128 characters');
    if (await this.projects.findByName(trimmed))
      throw new ConflictError('name', `a project named "${trimmed}" already exists`);
    return this.projects.create(trimmed);
  }

  async createApiKey(viewer: Viewer, projectId: string, name: string | null): Promise<CreatedApiKey> {
    requireAdmin(viewer);
    if (!isUuid(projectId)) throw new NotFoundError('Project', projectId);
    if (name !== null && (name.length < 1 || name.length > 128))
      throw new BadInputError('name', 'must be 1-128 characters');
    const project = await this.projects.findById(projectId);
    if (!project) throw new NotFoundError('Project', projectId);
    const secret = generateSecret();
    const key = await this.apiKeys.create({
      projectId,
      name,
      role: 'project',
      hash: hashSecret(secret),
      prefix: secretPrefix(secret),
    });
    return { key, secret };
  }

  async revokeApiKey(viewer: Viewer, id: string): Promise<boolean> {
    requireAdmin(viewer);
    const key = isUuid(id) ? await this.apiKeys.findById(id) : null;
    if (!key) throw new NotFoundError('ApiKey', id);
    if (key.id === viewer.keyId) throw new BadInputError('id', 'a key cannot revoke itself');
    const revoked = await this.apiKeys.revoke(key.id);
    // Open WebSocket connections of the key close, on every process.
    if (revoked) await this.events.publish({ type: 'key.revoked', projectId: key.projectId, keyId: key.id });
    return revoked;
  }

  async currentProject(viewer: Viewer): Promise<Project> {
    const project = await this.projects.findById(viewer.projectId);
    if (!project) throw new NotFoundError('Project', viewer.projectId);
    return project;
  }

  private async createProjectIgnoringRace(name: string): Promise<Project> {
    try {
      return await this.projects.create(name);
    } catch (error) {
      // Two processes starting on one database may both try; the loser reads the winner's row.
      const existing = await this.projects.findByName(name);
      if (existing) return existing;
      throw error;
    }
  }
}

export function requireAdmin(viewer: Viewer): void {
  if (viewer.role !== 'admin') throw new ForbiddenError('This operation needs an admin key');
}
